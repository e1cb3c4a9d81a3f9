"""The API's own description: the OpenAPI document and a page that shows it.

Both are public (webapp.api.auth.PUBLIC_ENDPOINTS): a client needs the document before it
has a token. The page frames the third-party viewer (swagger-ui, bundled by esbuild into
static/dist/apidocs.{js,css} from frontend/src/apidocs/) in the site's layout; the viewer
reads the document from the data-spec-url of its container, so the page holds no script.
"""

from __future__ import annotations

from flask import render_template, url_for

from webapp.api import bp
from webapp.api.openapi import document_response, documented

HTML = {"text/html": {"type": "string"}}
JSON_OBJECT = {"application/json": {"type": "object"}}


@bp.get("/openapi.json")
@documented("This document (OpenAPI 3.1)", tag="docs", ok={200: JSON_OBJECT, 304: None},
            public=True)
def openapi_json():
    return document_response()


@bp.get("/docs")
@documented("A page that shows this document", tag="docs", ok={200: HTML}, public=True)
def api_docs():
    return render_template("api/docs.html", spec_url=url_for("api.openapi_json"))
