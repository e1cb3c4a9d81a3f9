"""Reading what a process owner uploads on the definitions page: a .bpmn file and its forms,
as several `<key>.form.json` files or one .zip of them (as the page's download gives them).

Every refusal is an InvalidInputError (or PayloadTooLargeError) with a stable code and the
file it is about, so the page can say exactly what to fix; the schemas themselves are
checked by the service (engine.services.diagramfiles.check_forms). A .zip is read within
bounds whatever its headers claim: at most MAX_FORMS entries, each read at most one byte
past its limit, so a small archive cannot unpack into a large memory.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import PurePosixPath

from werkzeug.datastructures import FileStorage

from engine.errors import InvalidInputError, PayloadTooLargeError
from engine.services.diagramfiles import (
    MAX_FORM_BYTES,
    MAX_FORMS,
    MAX_FORMS_TOTAL_BYTES,
    clean_filename,
)

FORM_SUFFIX = ".form.json"
ZIP_MAGIC = b"PK\x03\x04"


def read_upload(sent: FileStorage | None, limit: int) -> tuple[str, bytes]:
    """The diagram file's name and bytes (one byte past `limit` at most: the service then
    refuses it as too large)."""
    if sent is None or not sent.filename:
        raise InvalidInputError("Choose a .bpmn file to upload", code="bpmn_missing")
    return clean_filename(sent.filename), sent.stream.read(limit + 1)


def read_forms(files: list[FileStorage]) -> dict[str, dict]:
    """form key -> schema from the uploaded .form.json files and .zip archives."""
    forms: dict[str, dict] = {}
    for sent in files:
        if not sent or not sent.filename:
            continue
        name = clean_filename(sent.filename)
        data = sent.stream.read(MAX_FORMS_TOTAL_BYTES + 1)
        if name.lower().endswith(".zip") or data.startswith(ZIP_MAGIC):
            entries = _zip_entries(name, data)
        else:
            entries = [(name, data)]
        for entry_name, content in entries:
            _add_form(forms, entry_name, content)
    return forms


def _add_form(forms: dict[str, dict], name: str, content: bytes) -> None:
    if not name.endswith(FORM_SUFFIX) or len(name) == len(FORM_SUFFIX):
        raise InvalidInputError(f"{name} is not a .form.json file or a .zip of them",
                                code="form_file_name", details={"file": name})
    key = name[: -len(FORM_SUFFIX)]
    if key in forms:
        raise InvalidInputError(f"The form {key} was given twice", code="form_duplicate",
                                details={"file": name, "form": key})
    if len(forms) >= MAX_FORMS:
        raise PayloadTooLargeError(f"At most {MAX_FORMS} forms", code="too_many_forms",
                                   details={"file": name, "max_forms": MAX_FORMS})
    if len(content) > MAX_FORM_BYTES:
        raise PayloadTooLargeError(f"Form {key!r} is larger than allowed", code="form_too_large",
                                   details={"file": name, "form": key,
                                            "max_bytes": MAX_FORM_BYTES})
    forms[key] = _schema(name, content)


def _schema(name: str, content: bytes) -> dict:
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidInputError(f"{name} is not valid JSON", code="form_not_json",
                                details={"file": name, "reason": str(error)[:200]}) from None
    if not isinstance(value, dict):
        raise InvalidInputError(f"{name} does not hold a form (a JSON object)",
                                code="form_not_json", details={"file": name, "reason": ""})
    return value


def _zip_entries(name: str, data: bytes) -> list[tuple[str, bytes]]:
    """The .form.json files of an archive (folders, and macOS's resource forks, skipped)."""
    if len(data) > MAX_FORMS_TOTAL_BYTES:
        raise PayloadTooLargeError(f"{name} is larger than allowed", code="forms_too_large",
                                   details={"file": name, "max_bytes": MAX_FORMS_TOTAL_BYTES})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if _is_form_entry(info)]
        if len(infos) > MAX_FORMS:
            raise PayloadTooLargeError(f"At most {MAX_FORMS} forms", code="too_many_forms",
                                       details={"file": name, "max_forms": MAX_FORMS})
        entries = [(PurePosixPath(info.filename).name, _read_entry(archive, info))
                   for info in infos]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
            EOFError, OSError):
        raise InvalidInputError(f"{name} is not a readable .zip file", code="zip_invalid",
                                details={"file": name}) from None
    if not entries:
        raise InvalidInputError(f"{name} holds no .form.json file", code="zip_empty",
                                details={"file": name})
    return entries


def _is_form_entry(info: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(info.filename)
    hidden = path.name.startswith(".") or "__MACOSX" in path.parts
    return not info.is_dir() and not hidden and path.name.endswith(FORM_SUFFIX)


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as handle:
        return handle.read(MAX_FORM_BYTES + 1)
