"""The SOP document as a PDF over HTTP: the page's "Unduh PDF" button and its route
(/pemodel/versi/<id>/sop.pdf), and the API's GET /api/v1/definitions/<key>/versions/<n>/
sop-document (JSON, or the PDF with ?format=pdf): everyone signed in reads them, a PJ
Kinerja too; an unknown key or version is a 404 that changes nothing. On SQLite, and on
PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from engine.services.demo import DEMO_PASSWORD
from engine.services.deployments import latest_version
from tests.support import SOP_KEY
from tests.webapp.api_support import (  # noqa: F401
    API,
    api_fixture,
    api_template_fixture,
    pg_api_fixture,
)
from tests.webapp.test_modeler_pages import version_id

FILENAME = "SOP-sop_pengelolaan_kinerja-v{}.pdf"


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request):
    """An API client (and its plain HTTP client) over SQLite or PostgreSQL."""
    return request.getfixturevalue("api" if request.param == "sqlite" else "pg_api")


def version_of(served) -> tuple[int, int]:
    """(id, number) of the SOP's latest version."""
    with served.session_factory() as session:
        found = latest_version(session, SOP_KEY)
        return found.id, found.version


def sign_in(served, username: str) -> None:
    answer = served.http.post("/login", data={"username": username,
                                              "password": DEMO_PASSWORD})
    assert answer.status_code == 302, answer.get_data(as_text=True)


def assert_pdf(response, number: int) -> PdfReader:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename={FILENAME.format(number)}" in disposition
    assert "no-store" in response.headers["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.get_data()))
    assert len(reader.pages) > 2
    assert "Nomor SOP" in reader.pages[0].extract_text()
    assert "Penanggung Jawab Kinerja" in reader.pages[1].extract_text()
    return reader


# ---- the page and its download -----------------------------------------------------------

@pytest.mark.parametrize("name", ["pj.dinkes", "pemilik"])
def test_the_page_offers_the_pdf_to_every_reader(web_app, client, login, name):
    vid = version_id(web_app)
    login(name)
    page = client.get(f"/pemodel/versi/{vid}/sop").get_data(as_text=True)
    assert f'href="/pemodel/versi/{vid}/sop.pdf" data-testid="sop-pdf"' in page


@pytest.mark.parametrize("name", ["pj.dinkes", "auditor"])
def test_the_download_is_the_versions_pdf(served, name):
    vid, number = version_of(served)
    sign_in(served, name)
    assert_pdf(served.http.get(f"/pemodel/versi/{vid}/sop.pdf"), number)


def test_the_download_of_no_version_is_a_404_and_needs_a_sign_in(served):
    vid, _number = version_of(served)
    signed_out = served.http.get(f"/pemodel/versi/{vid}/sop.pdf")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    sign_in(served, "pj.dinkes")
    before = served.counts()
    assert served.http.get("/pemodel/versi/999999/sop.pdf").status_code == 404
    assert served.http.get(f"/pemodel/versi/{2**40}/sop.pdf").status_code == 404
    assert served.counts() == before


# ---- the API ----------------------------------------------------------------------------

def test_the_api_gives_a_pj_the_document_as_json(served):
    vid, number = version_of(served)
    body = served.ok(served.get("pj.dinkes", f"/definitions/{SOP_KEY}/versions/{number}"
                                             "/sop-document"))
    assert body["definition"]["key"] == SOP_KEY
    assert (body["version"], body["version_id"]) == (number, vid)
    assert body["lanes"] == ["Kepala UKPBJ", "Tim Pengelolaan Kelembagaan UKPBJ",
                             "Penanggung Jawab Kinerja"]
    assert set(body["header"]) >= {"number", "title", "made_on", "approver_nip",
                                   "approver_nip_display", "legal_bases", "records"}
    rows = {row["no"]: row for row in body["rows"]}
    assert [n for n in rows if n.isdigit()] == [str(n) for n in range(1, 18)]
    assert set(rows) - {str(n) for n in range(1, 18)} == {"17a", "17c"}
    one, six = rows["1"], rows["6"]
    assert set(one) >= {"no", "kegiatan", "lane", "symbol", "ways", "kelengkapan", "waktu",
                        "output", "keterangan"}
    assert (one["symbol"], one["lane"], one["waktu"]) == (
        "start", "Tim Pengelolaan Kelembagaan UKPBJ", 5)
    assert one["kelengkapan"][0] == "RPJM" and one["keterangan"].startswith("Dilaksanakan")
    assert (six["symbol"], six["lane"], six["waktu"]) == ("decision", "Kepala UKPBJ", 2)
    assert six["ways"] == [{"label": "Setujui", "rows": ["7"], "ends": False},
                           {"label": "Perbaiki", "rows": ["1"], "ends": False}]
    assert rows["17c"]["symbol"] == "end"


def test_the_api_gives_the_pdf_on_request(served):
    _vid, number = version_of(served)
    path = f"/definitions/{SOP_KEY}/versions/{number}/sop-document"
    assert_pdf(served.get("auditor", path, format="pdf"), number)
    assert served.get("kepala", path, format="json").mimetype == "application/json"


def test_the_api_refuses_what_is_not_there(served):
    _vid, number = version_of(served)
    served.token("pj.dinkes")  # issuing a token is an event of its own
    before = served.counts()
    for path in (f"/definitions/{SOP_KEY}/versions/999/sop-document",
                 f"/definitions/{SOP_KEY}/versions/{2**40}/sop-document",
                 f"/definitions/tidak_ada/versions/{number}/sop-document"):
        answer = served.get("pj.dinkes", path)
        assert answer.status_code == 404, path
        assert answer.get_json()["error"]["code"] in {"version_not_found", "not_found"}
    wrong = served.get("pj.dinkes", f"/definitions/{SOP_KEY}/versions/{number}/sop-document",
                       format="docx")
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["code"] == "invalid_parameter"
    assert set(wrong.get_json()["error"]["details"]) == {"format"}
    anonymous = served.get(None, f"/definitions/{SOP_KEY}/versions/{number}/sop-document")
    assert anonymous.status_code == 401
    assert served.counts() == before
