"""The definitions page (/pemodel/): versions with their runs, downloads, new drafts from a
version or an upload; a refused upload says what to fix and stores nothing."""

from __future__ import annotations

import html
import io
import json
import zipfile

import pytest
from sqlalchemy import update

from engine.models import ProcessDraft, ProcessInstance
from engine.models.instances import STATUS_COMPLETED
from engine.services import definitions
from engine.services.deployments import latest_version
from tests.conftest import T0
from tests.engine.services.test_processdrafts import with_waktu
from tests.support import SOP_BPMN, SOP_FORMS, SOP_KEY, sop_forms, user
from tests.webapp.inbox_support import app_session, post_form, squash, start_run, text_of
from tests.webapp.test_modeler_drafts import UNSUPPORTED_FORM, make_draft, state


def in_english(client) -> None:
    assert post_form(client, "/language", {"lang": "en", "next": "/"}, page="/").status_code \
        == 302


def version_id(web_app) -> int:
    with app_session(web_app) as session:
        return latest_version(session, SOP_KEY).id


def test_the_page_lists_each_version_with_its_runs_and_actions(web_app, client, login):
    ended = start_run(web_app)
    start_run(web_app)
    start_run(web_app)
    with app_session(web_app) as session:
        session.execute(update(ProcessInstance).where(ProcessInstance.id == ended)
                        .values(status=STATUS_COMPLETED))
    draft_id = make_draft(web_app)
    login("pemilik")
    page = client.get("/pemodel/")
    html = text_of(page)
    assert page.status_code == 200
    vid = version_id(web_app)
    row = html.split('data-testid="version-row" data-version="1"')[1].split("</tr>")[0]
    assert 'data-testid="running"><div>2</div>' in row
    assert 'data-testid="finished"><div>1</div>' in row
    for href in (f"/pemodel/versi/{vid}", f"/pemodel/versi/{vid}/diagram.bpmn",
                 f"/pemodel/versi/{vid}/formulir.zip"):
        assert f'href="{href}"' in row
    assert f'action="/pemodel/versi/{vid}/draf"' in row
    assert "compare-previous" not in row  # version 1 has nothing before it
    drafts = html.split('data-testid="draft-table"')[1]
    assert f'href="/pemodel/draf/{draft_id}"' in drafts
    assert f'href="/pemodel/beda?draf={draft_id}"' in drafts
    assert 'data-testid="nav-modeler"' in html and 'aria-current="page"' in html
    assert 'enctype="multipart/form-data"' in html


def test_a_second_version_offers_the_comparison_with_the_first(web_app, client, login):
    with app_session(web_app) as session:
        text = with_waktu(SOP_BPMN.read_text(encoding="utf-8"), "Task_06", 3)
        definitions.deploy_checked(session, user(session, "pemilik"), filename="sop.bpmn",
                                   data=text.encode(), forms=sop_forms(), now=T0)
        name = user(session, "pemilik").full_name
    login("pemilik")
    in_english(client)
    html = text_of(client.get("/pemodel/"))
    newest = html.split('data-version="2"')[1].split("</tr>")[0]
    assert f'href="/pemodel/beda?definisi={SOP_KEY}&amp;dari=1&amp;ke=2"' in newest
    assert "newest" in newest and name in newest and "Compare with v1" in newest
    oldest = html.split('data-version="1"')[1].split("</tr>")[0]
    assert "Command line" in oldest and "newest" not in oldest
    assert html.index('data-version="2"') < html.index('data-version="1"')


def test_other_roles_see_no_link_and_get_403(web_app, client, login):
    login("tim1")
    assert 'data-testid="nav-modeler"' not in text_of(client.get("/"))
    page = client.get("/pemodel/")
    assert page.status_code == 403 and "text/html" in page.content_type
    login.logout()
    login("admin")
    assert 'data-testid="nav-modeler"' in text_of(client.get("/"))


def test_the_diagram_downloads_as_deployed(web_app, client, login):
    login("pemilik")
    answer = client.get(f"/pemodel/versi/{version_id(web_app)}/diagram.bpmn")
    assert answer.status_code == 200
    assert answer.data == SOP_BPMN.read_bytes()
    assert answer.headers["Content-Disposition"] == \
        f"attachment; filename={SOP_KEY}-v1.bpmn"
    assert answer.headers["Cache-Control"] == "private, no-store"


def test_the_forms_download_as_a_zip_of_form_json_files(web_app, client, login):
    login("pemilik")
    answer = client.get(f"/pemodel/versi/{version_id(web_app)}/formulir.zip")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.data))
    with app_session(web_app) as session:
        forms = latest_version(session, SOP_KEY).forms
    assert sorted(archive.namelist()) == sorted(f"{key}.form.json" for key in forms)
    for key, schema in forms.items():
        assert json.loads(archive.read(f"{key}.form.json")) == schema


def test_a_missing_version_is_404(web_app, client, login):
    login("pemilik")
    assert client.get("/pemodel/versi/987654/diagram.bpmn").status_code == 404


def test_start_a_draft_from_a_version(web_app, client, login):
    login("pemilik")
    vid = version_id(web_app)
    posted = post_form(client, f"/pemodel/versi/{vid}/draf", {}, page="/pemodel/")
    assert posted.status_code == 303
    with app_session(web_app) as session:
        draft = session.query(ProcessDraft).one()
        assert draft.base_version_id == vid
        assert draft.created_by_id == user(session, "pemilik").id
    assert posted.headers["Location"] == f"/pemodel/draf/{draft.id}"


def test_a_draft_needs_the_csrf_token(web_app, client, login):
    login("pemilik")
    before = state(web_app)
    answer = client.post(f"/pemodel/versi/{version_id(web_app)}/draf")
    assert answer.status_code == 400
    assert state(web_app) == before


# ---- uploads -------------------------------------------------------------------------------

SOP_FILE = (SOP_BPMN.read_bytes(), "sop.bpmn")


def upload(client, *, bpmn=SOP_FILE, forms=()):
    files = [("forms", (io.BytesIO(data), name)) for data, name in forms]
    if bpmn is not None:
        files.insert(0, ("bpmn", (io.BytesIO(bpmn[0]), bpmn[1])))
    return post_form(client, "/pemodel/unggah", files, page="/pemodel/",
                     content_type="multipart/form-data")


def form_files(*keys: str) -> list[tuple[bytes, str]]:
    return [((SOP_FORMS / f"{key}.form.json").read_bytes(), f"{key}.form.json")
            for key in keys]


def test_an_upload_with_form_files_becomes_a_draft(web_app, client, login):
    login("pemilik")
    answer = upload(client, forms=form_files("laporan-akhir", "keputusan-periode"))
    assert answer.status_code == 303, squash(text_of(answer))[:600]
    with app_session(web_app) as session:
        draft = session.query(ProcessDraft).one()
        assert sorted(draft.forms) == ["keputusan-periode", "laporan-akhir"]
        assert draft.filename == "sop.bpmn" and draft.definition_key == SOP_KEY
        assert draft.bpmn_xml == SOP_BPMN.read_text(encoding="utf-8")
    assert answer.headers["Location"] == f"/pemodel/draf/{draft.id}"


def test_the_downloaded_zip_uploads_back_whole(web_app, client, login):
    login("pemilik")
    archive = client.get(f"/pemodel/versi/{version_id(web_app)}/formulir.zip").data
    answer = upload(client, forms=[(archive, "formulir.zip")])
    assert answer.status_code == 303, squash(text_of(answer))[:600]
    with app_session(web_app) as session:
        draft = session.query(ProcessDraft).one()
        assert draft.forms == latest_version(session, SOP_KEY).forms


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(("kwargs", "status", "message"), [
    ({"bpmn": None}, 400, "Choose a .bpmn file to upload."),
    ({"bpmn": (b"hello", "catatan.bpmn")},
     400, "catatan.bpmn is not well-formed XML (line 1)."),
    ({"bpmn": (b"<html/>", "halaman.bpmn")}, 400, "halaman.bpmn is not a BPMN diagram."),
    ({"bpmn": ('<?xml version="1.0" encoding="latin-1"?><a>é</a>'.encode("latin-1"),
               "lama.bpmn")}, 400, "lama.bpmn is not encoded in UTF-8."),
    ({"bpmn": (b'<!DOCTYPE a [<!ENTITY x "y">]><a/>', "xxe.bpmn")}, 400,
     "xxe.bpmn declares a DOCTYPE or ENTITY"),
    ({"forms": [(b"{}", "catatan.txt")]}, 400,
     "catatan.txt is not a .form.json file or a .zip of them."),
    ({"forms": [(b"{oops", "rusak.form.json")]}, 400, "rusak.form.json is not valid JSON"),
    ({"forms": [(b"PK\x03\x04 broken", "formulir.zip")]}, 400,
     "formulir.zip is not a readable .zip file."),
    ({"forms": [(_zip({"README.txt": b"x"}), "kosong.zip")]}, 400,
     "kosong.zip holds no .form.json file."),
    ({"forms": [(json.dumps(UNSUPPORTED_FORM).encode(), "peta.form.json")]}, 400,
     "A form cannot be used: Form 'peta' component 'peta' has the unsupported type "
     "'iframe'"),
    ({"forms": [(b"{}", "a.form.json"), (b"{}", "a.form.json")]}, 400,
     "The form a was given twice."),
    ({"bpmn": (b"<x>" + b" " * (2 * 1024 * 1024) + b"</x>", "besar.bpmn")}, 413,
     "besar.bpmn is larger than the limit of 2097152 bytes."),
])
def test_a_refused_upload_says_what_to_fix_and_stores_nothing(web_app, client, login, kwargs,
                                                              status, message):
    login("pemilik")
    in_english(client)
    before = state(web_app)
    answer = upload(client, **kwargs)
    assert answer.status_code == status
    page = html.unescape(squash(text_of(answer)))
    assert "The diagram was not uploaded" in page and message in page, page[:1500]
    assert state(web_app) == before


def test_other_roles_cannot_upload(web_app, client, login):
    login("kepala")
    before = state(web_app)
    answer = post_form(client, "/pemodel/unggah", [("bpmn", (io.BytesIO(SOP_BPMN.read_bytes()),
                                                             "sop.bpmn"))],
                       page="/akun", content_type="multipart/form-data")
    assert answer.status_code == 403
    assert state(web_app) == before
