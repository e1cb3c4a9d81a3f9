"""Which of the three formats a file is, told by its bytes (a name can lie), and its text.

XLSX is a zip; JSON text starts with `[` or `{`; any other text is taken as CSV. Bytes that
are no text (a PDF, a picture, an old binary .xls) are refused as an unsupported type,
which the API answers 415. Text in an encoding we do not read (UTF-16, as Excel's "Unicode
Text" saves it, or bytes that are neither UTF-8 nor Windows-1252) gets its own message.
"""

from __future__ import annotations

import re

from engine.errors import N_, InvalidInputError, PayloadTooLargeError, UnsupportedMediaTypeError
from engine.sirup.limits import ImportLimits

CSV, XLSX, JSON = "csv", "xlsx", "json"
UNSUPPORTED_FILE_TYPE = "unsupported_file_type"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary .xls, or a password-protected .xlsx
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SNIFF_BYTES = 64 * 1024
# Types people pick by mistake, by their first bytes (a site's "Excel" export that is really
# an HTML table among them).
# (compared with the lowercased start of the file)
KNOWN_TYPES = {b"%pdf-": "pdf", b"\x89png": "png", b"\xff\xd8\xff": "jpeg", b"gif8": "gif",
               b"\x1f\x8b": "gzip", b"rar!": "rar", b"7z\xbc\xaf": "7z", b"<!doctype": "html",
               b"<html": "html", b"<table": "html", b"<?xml": "xml", b"{\\rtf": "rtf"}
# Control bytes that never occur in a text file (tab, newlines and form feed aside).
BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")

UNSUPPORTED_MESSAGE = N_("This file is not a CSV, XLSX or JSON file")
ENCODING_MESSAGE = N_("The file's text encoding cannot be read: save it as CSV UTF-8")


def check_size(data: bytes, limits: ImportLimits) -> None:
    """An empty file and one over the cap are refused before anything reads them."""
    if not data:
        raise InvalidInputError(N_("The file is empty (0 bytes)"), code="empty_file")
    if len(data) > limits.max_bytes:
        raise PayloadTooLargeError(N_("The file is larger than allowed"), code="file_too_large",
                                   details={"max_bytes": limits.max_bytes,
                                            "size_bytes": len(data)})


def detect_format(data: bytes) -> str:
    """CSV, XLSX or JSON by content; anything else is refused here."""
    if data.startswith(ZIP_MAGIC):
        return XLSX
    if data.startswith(OLE_MAGIC):
        raise unsupported(N_("Old Excel (.xls) and password-protected workbooks cannot be "
                             "read: save the sheet as .xlsx or CSV"), "xls")
    head = data[:SNIFF_BYTES]
    start = head.removeprefix(UTF8_BOM).lstrip()[:16].lower()
    known = next((kind for magic, kind in KNOWN_TYPES.items() if start.startswith(magic)), None)
    if known:
        raise unsupported(UNSUPPORTED_MESSAGE, known)
    if head.startswith(UTF16_BOMS) or _looks_utf16(head):
        raise InvalidInputError(ENCODING_MESSAGE, code="unsupported_encoding",
                                details={"encoding": "utf-16"})
    if BINARY_BYTES.search(head):
        raise unsupported(UNSUPPORTED_MESSAGE, "binary")
    return JSON if start[:1] in (b"[", b"{") else CSV


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte order mark: every other byte of plain text is NUL."""
    sample = head[:512]
    return len(sample) >= 4 and (sample[1::2].count(0) > len(sample) // 4
                                 or sample[0::2].count(0) > len(sample) // 4)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252 (what Excel on Windows saves)."""
    if data.startswith(UTF8_BOM):
        data = data[len(UTF8_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InvalidInputError(ENCODING_MESSAGE, code="unsupported_encoding",
                                details={"encoding": "unknown"}) from None


def unsupported(message: str, kind: str) -> UnsupportedMediaTypeError:
    """The refusal of a file of another type (415 on the API and the import page)."""
    return UnsupportedMediaTypeError(message, code=UNSUPPORTED_FILE_TYPE,
                                     details={"detected": kind})
