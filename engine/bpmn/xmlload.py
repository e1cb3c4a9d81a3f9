"""Reading an uploaded BPMN file without trusting it.

An upload is refused before parsing if it is too large or declares a DOCTYPE (the door to
XXE and entity bombs, and BPMN needs none), then parsed with entity resolution and network
access off. These are whole-file refusals, each with an error code of its own
(bpmn_too_large, bpmn_doctype_forbidden, bpmn_malformed, bpmn_not_bpmn), not problems of
an element: nothing else can be checked in a file that could not be read.
"""

from __future__ import annotations

import codecs

from lxml import etree

from engine.bpmn.diagram_rules import bpmn_tag
from engine.errors import InvalidDiagramError, PayloadTooLargeError

DOCTYPE_MARKERS = (b"<!doctype", b"<!entity")
DOCTYPE_MESSAGE = "BPMN files must not contain a DOCTYPE or ENTITY declaration"


def load_xml(data: bytes, *, max_bytes: int) -> etree._Element:
    """Parse an upload, refusing oversize files and any DTD before libxml2 sees them."""
    if len(data) > max_bytes:
        raise PayloadTooLargeError(
            f"The BPMN file is larger than the limit of {max_bytes} bytes",
            code="bpmn_too_large",
            details={"size": len(data), "max_bytes": max_bytes},
        )
    if _declares_doctype(data):
        raise InvalidDiagramError(DOCTYPE_MESSAGE, code="bpmn_doctype_forbidden")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidDiagramError(
            "The BPMN file is not well-formed XML",
            code="bpmn_malformed",
            details={"line": error.lineno, "reason": error.msg},
        ) from error
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvalidDiagramError(DOCTYPE_MESSAGE, code="bpmn_doctype_forbidden")
    if root.tag != bpmn_tag("definitions"):
        raise InvalidDiagramError("This file is not a BPMN diagram", code="bpmn_not_bpmn")
    return root


def _declares_doctype(data: bytes) -> bool:
    """Scan raw bytes; removing NULs also exposes UTF-16/32 text without a BOM."""
    texts = [data, data.replace(b"\x00", b"")]
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or data[:4] == codecs.BOM_UTF32_BE:
        for codec in ("utf-16", "utf-32"):
            texts.append(data.decode(codec, errors="replace").encode("utf-8", errors="replace"))
    return any(marker in text.lower() for text in texts for marker in DOCTYPE_MARKERS)
