"""Bahasa Indonesia is the default and must be complete: every msgid the code and the
templates use (and every engine error message a page shows) has an Indonesian translation,
placeholders intact, and the compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
ERROR_CLASSES = ("DomainError", "NotFoundError", "PermissionDeniedError", "AuthenticationError",
                 "ConflictError", "InvalidInputError", "InvalidDiagramError",
                 "PayloadTooLargeError", "StateFormatError", "DiagramRunError")
UPDATE_HINT = "run the extract/update/compile commands at the top of babel.cfg and translate"


def used_msgids() -> set:
    """What `pybabel extract` with the keywords named in babel.cfg finds, run in-process."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, **dict.fromkeys(ERROR_CLASSES)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords):
        found.add(message)
    return found


def catalog(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def pairs(messages) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    return {plain(m.id): plain(m.string) for m in messages if m.id}


def translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


@pytest.mark.parametrize("locale", ["id", "en"])
def test_every_msgid_in_use_is_translated(locale):
    used = used_msgids()
    assert len(used) > 150  # the walk really read the templates and the code
    messages = {m.id: m for m in catalog(locale) if m.id}
    untranslated = sorted(str(m) for m in used if m not in messages or not translated(messages[m]))
    assert untranslated == [], f"untranslated in {locale}: {UPDATE_HINT}"


@pytest.mark.parametrize("locale", ["id", "en"])
def test_placeholders_survive_translation_and_the_mo_is_fresh(locale):
    po = catalog(locale)
    problems = [(message.id, [str(e) for e in errors]) for message, errors in po.check()]
    assert problems == []
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        mo = read_mo(handle)
    assert pairs(mo) == pairs(po), \
        f"messages.mo is older than messages.po: {UPDATE_HINT}"


def test_the_indonesian_words_are_the_ones_users_expect():
    messages = {m.id: m.string for m in catalog("id") if m.id}
    assert messages["Inbox"] == "Kotak Masuk"
    assert messages["My tasks"] == "Tugas Saya" and messages["Group tasks"] == "Tugas Kelompok"
    assert messages["Take task"] == "Ambil Tugas" and messages["Release"] == "Lepaskan"
    assert messages["Send"] == "Kirim" and messages["Due date"] == "Batas Waktu"
    assert messages["Late %(n)s WD"] == "Terlambat %(n)s HK"
    assert messages["Supporting documents"] == "Bukti dukung"
    assert messages["Registration number"] == "Nomor Registrasi"
