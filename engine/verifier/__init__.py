"""The stand-alone verifier shipped inside every audit bundle (verify_bundle.py).

The script is copied into each bundle byte for byte, so an auditor can check a bundle on a
machine that has never seen this code base: it imports only the Python standard library
and the `cryptography` package, never anything of ours. Keep it that way; the tests run
it in a subprocess from a folder where our packages cannot be imported.
"""

from __future__ import annotations

from pathlib import Path

SCRIPT_PATH = Path(__file__).resolve().parent / "verify_bundle.py"
SCRIPT_NAME = "verify_bundle.py"
