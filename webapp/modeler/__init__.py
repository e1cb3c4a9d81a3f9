"""The process owners' pages (role pemilik_proses, and admins): the definitions and their
versions, the diagram editor, the form editor, drafts, deploys and the visual diff.

One blueprint, `bp`, split by subject: pages.py (the definitions list, downloads, uploads),
editor.py (the diagram editor page), formeditor.py (the form editor page), drafts.py (the
editor's JSON: load, autosave, check, deploy), diffs.py (the diff page and its data).
Every view calls engine services, which check the role themselves.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("modeler", __name__)
