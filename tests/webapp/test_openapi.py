"""The OpenAPI document (webapp/api/openapi.py) and the page that shows it (webapp/api/docs.py).

The document is built from the url_map, so a route added under /api/v1 without
`@documented` shows up here: every rule and method must be in the document with at least
one success and one error answer, every error answer must be the one Error body, and the
error bodies the app really sends must match it.
"""

from __future__ import annotations

from tests.webapp.api_support import API, api_fixture, api_template_fixture  # noqa: F401

DOCUMENTED_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}


def _document(api) -> dict:
    response = api.http.get(f"{API}/openapi.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _api_rules(app):
    from webapp.api.openapi import openapi_path

    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(f"{API}/"):
            path, _parameters = openapi_path(rule.rule)
            for method in sorted(rule.methods & DOCUMENTED_METHODS):
                yield rule.endpoint, path, method.lower()


def test_every_api_rule_is_documented_with_a_success_and_an_error(api):
    paths = _document(api)["paths"]
    missing = []
    for endpoint, path, method in _api_rules(api.app):
        operation = paths.get(path, {}).get(method)
        statuses = [int(status) for status in (operation or {}).get("responses", {})]
        if (operation is None or operation.get("x-undocumented")
                or not any(200 <= s < 300 for s in statuses)
                or not any(400 <= s < 500 for s in statuses)):
            missing.append(f"{method.upper()} {path} ({endpoint})")
    assert not missing, "undocumented in webapp/api (add @documented): " + ", ".join(missing)


def test_the_document_lists_nothing_the_app_does_not_serve(api):
    served = {(path, method) for _endpoint, path, method in _api_rules(api.app)}
    listed = {(path, method) for path, operations in _document(api)["paths"].items()
              for method in operations}
    assert listed == served


def test_every_error_answer_is_the_error_body(api):
    for path, operations in _document(api)["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation.get("responses", {}).items():
                if int(status) >= 400:
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == ERROR_REF, (method, path, status)


def test_bearer_tokens_are_the_security_scheme_and_public_views_opt_out(api):
    document = _document(api)
    assert document["openapi"] == "3.1.0"
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearerAuth": []}]
    paths = document["paths"]
    public = {("post", f"{API}/auth/token"), ("get", f"{API}/openapi.json"),
              ("get", f"{API}/docs")}
    for method, path in public:
        assert paths[path][method]["security"] == []
        assert "401" not in paths[path][method]["responses"] or method == "post"
    assert "security" not in paths[f"{API}/tasks"]["get"]
    assert "401" in paths[f"{API}/tasks"]["get"]["responses"]


def test_schemas_come_from_the_marshmallow_schemas(api):
    document = _document(api)
    schemas = document["components"]["schemas"]
    task = schemas["Task"]["properties"]
    assert task["id"] == {"type": "integer"}
    assert task["sop_step"]["type"] == ["integer", "null"]
    assert task["due_on"] == {"type": ["string", "null"], "format": "date"}
    operation = document["paths"][f"{API}/tasks"]["get"]
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert query["per_page"]["schema"]["maximum"] == 100
    assert set(query["scope"]["schema"]["enum"]) == {"mine", "group", "all"}
    path = document["paths"][f"{API}/tasks/{{task_id}}"]["get"]["parameters"][0]
    assert path == {**path, "in": "path", "name": "task_id", "required": True}
    assert path["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    body = document["paths"][f"{API}/instances"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StartInstance"}


def test_the_error_bodies_the_app_sends_match_the_error_schema(api):
    error = _document(api)["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"code", "message", "details"}
    refusals = [api.http.get(f"{API}/tasks"),  # no token: 401
                api.get("tim1", "/tasks", per_page=0),  # 400
                api.get("tim1", "/tasks/999999"),  # 404
                api.http.post(f"{API}/instances", data="x", content_type="text/plain",
                              headers=api.headers("tim1"))]  # 415
    assert [r.status_code for r in refusals] == [401, 400, 404, 415]
    for response in refusals:
        body = response.get_json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message", "details"}
        assert isinstance(body["error"]["code"], str)


def test_the_document_is_public_and_cacheable(api):
    first = api.http.get(f"{API}/openapi.json")
    assert first.status_code == 200
    assert first.mimetype == "application/json"
    assert "public" in first.headers["Cache-Control"]
    etag = first.headers["ETag"]
    again = api.http.get(f"{API}/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""


def test_the_docs_page_is_public_and_loads_the_bundled_viewer(api):
    response = api.http.get(f"{API}/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert "/static/dist/apidocs.js" in html
    assert "/static/dist/apidocs.css" in html
    assert "<script>" not in html  # no inline script (CSP)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
