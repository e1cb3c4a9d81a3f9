"""The page's condition evaluator (frontend/src/forms/conditions.js) over the shared table.

Runs frontend/test/ with Node's built-in test runner (`npm test` does the same); the Python
side of the table is tests/engine/forms/test_conditions.py.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
TEST_FILE = FRONTEND / "test" / "conditions.test.mjs"
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not on PATH: install Node.js to run the "
                    "JavaScript side of tests/fixtures/form-conditions.json")
def test_the_page_evaluator_passes_the_shared_table():
    finished = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", str(TEST_FILE)],
        cwd=FRONTEND, capture_output=True, text=True, timeout=120, check=False,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, f"node --test failed:\n{output}"
    assert "fail 0" in output, output
