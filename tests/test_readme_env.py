"""Every setting the code reads is documented: README.md's table of environment variables
has a row for each ALUR_* name read anywhere in engine/, webapp/ or scripts/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\bALUR_[A-Z0-9_]*[A-Z0-9]\b")
CONFIG_ENV = re.compile(r'_env\("([A-Z0-9_]+)"')  # engine/config.py: _env("X") reads ALUR_X
README_ROW = re.compile(r"^\|\s*`(ALUR_[A-Z0-9_]+)`", re.MULTILINE)


def names_read() -> set[str]:
    found: set[str] = set()
    for folder in ("engine", "webapp", "scripts"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".sh"} and path.is_file():
                text = path.read_text(encoding="utf-8")
                found |= set(NAME.findall(text))
                found |= {f"ALUR_{name}" for name in CONFIG_ENV.findall(text)}
    return found


def names_documented() -> set[str]:
    return set(README_ROW.findall((ROOT / "README.md").read_text(encoding="utf-8")))


def test_names_are_found():
    """The scan itself works: settings read in three different ways are among its finds."""
    assert {"ALUR_SECRET_KEY", "ALUR_TIMEZONE", "ALUR_WEB_WORKERS"} <= names_read()


def test_every_setting_has_a_row_in_the_readme():
    missing = sorted(names_read() - names_documented())
    assert not missing, f"README.md's table of environment variables lacks: {missing}"
