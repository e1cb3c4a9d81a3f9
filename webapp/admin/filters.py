"""Template filters of the administrators' pages, registered app-wide through the admin
blueprint: `nip` shows a NIP grouped as "19850315 201001 1 002" wherever a page shows one.
"""

from __future__ import annotations

from engine.services.nip import format_nip
from webapp.admin import bp


@bp.app_template_filter("nip")
def nip_filter(value: str | None) -> str:
    return format_nip(value)
