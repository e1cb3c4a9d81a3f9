"""The package list (`/laporan/paket`): one budget year's SIRUP packages, per OPD, searched
and filtered by method and type, with the count and Σ pagu of everything the filters match.

A PJ Kinerja sees only their own OPD's packages (engine.services.packages decides); the
overseers choose an OPD or see them all. The header's link shows for whoever may read them.
"""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required

from engine.errors import InvalidInputError
from engine.services import packages
from webapp.reports import bp
from webapp.requests import actor, now
from webapp.transaction import db

# The values SIRUP uses (../shared/design/domain.md), offered as filters.
METHODS = ("Tender", "Tender Cepat", "Seleksi", "Pengadaan Langsung", "Penunjukan Langsung",
           "E-Purchasing", "Dikecualikan")
KINDS = ("Barang", "Pekerjaan Konstruksi", "Jasa Konsultansi", "Jasa Lainnya")
PER_PAGE = 50


@bp.app_context_processor
def reports_navigation() -> dict:
    """`can_read_packages()` for the header's link; `can_import_packages()` for the button."""

    def can_read_packages() -> bool:
        return bool(current_user.is_authenticated and packages.may_read(current_user))

    def can_import_packages() -> bool:
        return bool(current_user.is_authenticated
                    and current_user.roles & packages.IMPORTER_ROLES)

    return {"can_read_packages": can_read_packages, "can_import_packages": can_import_packages}


@bp.get("/paket", endpoint="packages")
@login_required
def packages_page():
    session, user = db(), actor()
    choices = packages.readable_opds(session, user)
    filters = _filters(choices)
    result = _page(session, user, filters)
    return render_template(
        "reports/packages.html", result=result, filters=filters, methods=METHODS, kinds=KINDS,
        opd_choices=choices, pages=max(1, -(-result.total // PER_PAGE)),
    )


def _page(session, user, filters: dict) -> packages.PackagePage:
    """The page asked for; past the last page, the last one."""
    args = (filters["tahun"], filters["opd_id"], filters["q"], filters["metode"],
            filters["jenis"])
    result = packages.list_packages(session, user, *args, filters["page"], PER_PAGE)
    if not result.items and result.total and filters["page"] > 1:
        filters["page"] = max(1, -(-result.total // PER_PAGE))
        result = packages.list_packages(session, user, *args, filters["page"], PER_PAGE)
    return result


def _filters(choices: list) -> dict:
    """The query's filters, read leniently: what is not a known value is left out, so a
    hand-edited address still shows a page (the first one, this year's)."""
    args = request.args
    year = _int(args.get("tahun"))
    try:
        packages.check_year(year)
    except InvalidInputError:
        year = None
    opd_id = _int(args.get("opd"))
    return {
        "tahun": year or now().year,
        "opd_id": opd_id if any(opd.id == opd_id for opd in choices) else None,
        "q": (args.get("q") or "").strip()[:200] or None,
        "metode": args.get("metode") if args.get("metode") in METHODS else None,
        "jenis": args.get("jenis") if args.get("jenis") in KINDS else None,
        "page": max(1, min(_int(args.get("page")) or 1, 100_000)),
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
