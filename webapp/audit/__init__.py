"""The auditors' pages (role auditor; admins and the Kepala UKPBJ too), all read-only.

One blueprint, `bp`, split by subject: search.py (finding runs), history.py (one run's
replay on its diagram: path, passes, durations against Waktu, timeline, step slider,
verification), heatmap.py (a version's durations over all its runs), bundles.py (the
audit bundle download). Every view calls engine services, which check the role
themselves; every read by an auditor is recorded (webapp/readlog.py).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__)
