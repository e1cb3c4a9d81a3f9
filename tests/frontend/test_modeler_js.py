"""The diagram editor's own node tests (frontend/test/modeler-*.test.mjs): our spiffworkflow
properties read and written without touching the others, the SOP and the OMG interchange
models imported and saved by bpmn-moddle with every element kept, and the data wiring of
multi-instance collections and process inputs/outputs giving the XML the SOP uses.
`npm test` runs them too; `make test` runs pytest, so here they are.

Needs Node.js and the installed front-end packages (frontend/node_modules); skipped otherwise.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
NODE = shutil.which("node")
FILES = sorted(path.name for path in (FRONTEND / "test").glob("modeler*.test.mjs"))


@pytest.mark.skipif(NODE is None, reason="node is not on PATH: install Node.js")
@pytest.mark.skipif(not (FRONTEND / "node_modules" / "bpmn-js").is_dir(),
                    reason="frontend/node_modules is missing: run `make setup` (npm ci)")
@pytest.mark.parametrize("name", FILES)
def test_the_editors_node_tests_pass(name):
    finished = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", f"test/{name}"],
        cwd=FRONTEND, capture_output=True, text=True, timeout=300, check=False,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, f"node --test failed:\n{output}"
    assert "fail 0" in output, output


def test_every_editor_test_file_is_found():
    assert len(FILES) >= 3, FILES
