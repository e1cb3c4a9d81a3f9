"""Is an upload readable: the checks a diagram and its forms pass before anything else.

Every way content reaches the modeler (an uploaded file, the editor's JSON, the definitions
API) goes through the same gate: a diagram within the size limit, UTF-8 text without NUL,
well-formed BPMN; forms with valid keys, bounded in number and size, with schemas the server
can enforce; a cleaned file name; the title and process key read from the diagram. They
live apart from engine.services.definitions (listing and deploying) because drafts
(engine.services.processdrafts) and the web layer's upload readers need them too, and
none of them reads or writes a row.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from lxml import etree
from sqlalchemy.orm import Session

from engine import forms as form_schemas
from engine.bpmn.diagram_rules import NS
from engine.bpmn.parser import load_xml
from engine.errors import InvalidInputError, PayloadTooLargeError
from engine.runtime import runtime_of
from engine.services.audit import canonical_json

FORM_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
MAX_FORM_BYTES = 256 * 1024  # one form-js schema; the SOP's largest is under 20 KB
MAX_FORMS = 200
MAX_FORMS_TOTAL_BYTES = 4 * 1024 * 1024
TITLE_LENGTH = 200
FILENAME_LENGTH = 255


# ---- forms -------------------------------------------------------------------------------

def check_forms(forms: object) -> dict[str, dict]:
    """A bounded map of form key -> schema the server can enforce, or the first refusal
    (400 `invalid_form` naming the form and the component, from engine.forms)."""
    checked = check_form_shapes(forms)
    for key, schema in checked.items():
        form_schemas.check_form(schema, key)
    return checked


def check_form_shapes(forms: object) -> dict[str, dict]:
    """The keys and sizes of a set of forms, not yet their schemas."""
    if not isinstance(forms, dict):
        raise InvalidInputError("Forms must be an object of form key -> schema",
                                code="invalid_forms")
    if len(forms) > MAX_FORMS:
        raise PayloadTooLargeError(f"A draft holds at most {MAX_FORMS} forms",
                                   code="too_many_forms", details={"max_forms": MAX_FORMS})
    total = sum(_form_size(key, schema) for key, schema in forms.items())
    if total > MAX_FORMS_TOTAL_BYTES:
        raise PayloadTooLargeError("The forms together are larger than allowed",
                                   code="forms_too_large",
                                   details={"size": total, "max_bytes": MAX_FORMS_TOTAL_BYTES})
    return dict(forms)


def _form_size(key: object, schema: object) -> int:
    if not isinstance(key, str) or not FORM_KEY.fullmatch(key):
        raise InvalidInputError(
            "A form key is 1-100 letters, digits, '-', '_' or '.', starting with a letter or "
            "digit", code="invalid_form_key", details={"form": str(key)[:120]})
    size = len(canonical_json(schema).encode("utf-8"))
    if size > MAX_FORM_BYTES:
        raise PayloadTooLargeError(f"Form {key!r} is larger than allowed", code="form_too_large",
                                   details={"form": key, "size": size,
                                            "max_bytes": MAX_FORM_BYTES})
    return size



# ---- the diagram -------------------------------------------------------------------------

def parse_diagram(session: Session, data: bytes) -> etree._Element:
    """The parsed diagram: within the size limit, UTF-8 without NUL, no DOCTYPE, well-formed
    BPMN."""
    limit = runtime_of(session).settings.max_bpmn_bytes
    if len(data) > limit:  # before anything else reads it (load_xml says the same)
        raise PayloadTooLargeError(
            f"The BPMN file is larger than the limit of {limit} bytes", code="bpmn_too_large",
            details={"size": len(data), "max_bytes": limit})
    diagram_text(data)  # first: UTF-16 (full of NULs) is told to be re-saved as UTF-8
    if b"\x00" in data:
        raise InvalidInputError("The diagram may not contain NUL characters",
                                code="bpmn_malformed")
    return load_xml(data, max_bytes=limit)


def diagram_text(data: bytes) -> str:
    """Diagrams are stored as text: UTF-8 only, never guessed."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInputError("BPMN files must be encoded in UTF-8", code="bpmn_not_utf8",
                                details={"position": error.start}) from error


def diagram_bytes(text: object) -> bytes:
    """A diagram sent as text (JSON), as the bytes a deploy reads; text a database cannot
    store (unpaired surrogates) is refused."""
    if not isinstance(text, str):
        raise InvalidInputError("The diagram must be BPMN XML text", code="invalid_diagram_text")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidInputError("The diagram is not valid Unicode text",
                                code="invalid_diagram_text") from error


def main_process_key(root: etree._Element) -> str | None:
    """The process users would start, as the engine picks it (the first executable process
    that no call activity calls), or None when the diagram has none yet."""
    called = set(root.xpath(".//bpmn:callActivity/@calledElement", namespaces=NS))
    for process in root.iterfind("bpmn:process", NS):
        key = process.get("id")
        if process.get("isExecutable", "true") == "true" and key and key not in called:
            return key[:120]
    return None


def diagram_title(root: etree._Element, filename: str) -> str:
    """The main pool's or process's name, else the file's name without its extension."""
    key = main_process_key(root)
    if key:
        for xpath in ("//bpmn:participant[@processRef=$id]/@name",
                      "//bpmn:process[@id=$id]/@name"):
            names = [n.strip() for n in root.xpath(xpath, id=key, namespaces=NS) if n.strip()]
            if names:
                return names[0][:TITLE_LENGTH]
    stem = clean_filename(filename).split(".")[0]
    return (stem or "diagram")[:TITLE_LENGTH]


def clean_filename(filename: str | None) -> str:
    """The last part of an uploaded name, printable, bounded; `diagram.bpmn` if none is left."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[-FILENAME_LENGTH:] or "diagram.bpmn"
