"""The SOP document page (/pemodel/versi/<id>/sop): the header and the flowchart table for
everyone signed in, linked from the definitions page and from each run's page; the "Ubah
kepala SOP" form for process owners, which refuses a bad NIP beside the field and keeps
what was typed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from engine.events import EventType
from engine.models import Event, SopMetadata
from engine.services import sopmetadata
from tests.support import SOP_KEY, user
from tests.webapp.inbox_support import app_session, post_form, squash, text_of
from tests.webapp.test_modeler_pages import in_english, version_id

TYPED = {
    "letterhead": "PEMERINTAH KABUPATEN PESISIR SELATAN\nSEKRETARIAT DAERAH",
    "number": "602/09/SOP/PBJ-PS/III-2022", "title": "SOP Pengelolaan Kinerja",
    "made_on": "2022-03-07", "revised_on": "2022-03-14", "effective_on": "2022-03-14",
    "approver_position": "Kepala Bagian", "approver_name": "MAWARDI ROSKA, S.IP",
    "approver_nip": "19670907 198902 1 001",
    "legal_bases": "Peraturan Presiden Nomor 18 Tahun 2018\nPeraturan LKPP Nomor 9 Tahun 2018",
    "qualifications": "Kepala UKPBJ", "related_sops": "SOP Pengarsipan",
    "equipment": "Komputer/printer/scanner", "warning": "Apabila SOP ini tidak dibuat <b>",
    "records": "Berkas dicatat & didata",
}


def stored(web_app) -> tuple[int, int]:
    with app_session(web_app) as session:
        return (session.scalar(select(func.count()).select_from(SopMetadata)),
                session.scalar(select(func.count()).select_from(Event)))


def page_of(client, vid: int):
    return client.get(f"/pemodel/versi/{vid}/sop")


@pytest.mark.parametrize("name", ["pemilik", "admin"])
def test_readers_of_the_definitions_see_the_document(web_app, client, login, name):
    vid = version_id(web_app)
    login(name)
    in_english(client)
    assert f'href="/pemodel/versi/{vid}/sop"' in text_of(client.get("/pemodel/"))
    answer = page_of(client, vid)
    page = text_of(answer)
    assert answer.status_code == 200
    assert page.count('data-testid="sop-row"') == 19  # rows 1-17, 17a and 17c
    lanes = [squash(part.split("</th>")[0]) for part in page.split('data-testid="sop-lane">')[1:]]
    assert lanes[:3] == ["Kepala UKPBJ", "Tim Pengelolaan Kelembagaan UKPBJ",
                         "Penanggung Jawab Kinerja"]
    assert 'data-no="6" data-symbol="decision" data-lane="0"' in page
    assert 'data-no="1" data-symbol="start" data-lane="1"' in page
    assert 'data-testid="sop-way" data-rows="1" data-ends="false"' in page
    assert "<svg" in page and "style=" not in page.split("<main")[1]
    assert 'class="sop-connector-out"' in page and 'class="sop-connector-in"' in page
    assert 'data-testid="sop-number"><span class="sop-empty">Not filled in</span>' in page
    assert 'data-testid="sop-header-form"' in page
    assert 'href="/static/sopdocument.css"' in page


@pytest.mark.parametrize("name", ["pj.dinkes", "auditor", "tim1", "kepala"])
def test_others_read_the_document_but_cannot_edit_its_header(web_app, client, login, name):
    vid = version_id(web_app)
    login(name)
    page = page_of(client, vid)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-no="6" data-symbol="decision"' in html
    assert 'data-testid="sop-header-form"' not in html
    before = stored(web_app)
    answer = post_form(client, f"/pemodel/versi/{vid}/sop/kepala", TYPED, page="/akun")
    assert answer.status_code == 403
    assert stored(web_app) == before


def test_the_owner_saves_the_header_and_the_document_shows_it(web_app, client, login):
    vid = version_id(web_app)
    login("pemilik")
    in_english(client)
    path = f"/pemodel/versi/{vid}/sop"
    answer = post_form(client, f"{path}/kepala", TYPED, page=path)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(path)
    page = text_of(client.get(path))
    assert "The SOP header has been saved." in page
    assert 'data-testid="sop-nip">NIP. 19670907 198902 1 001<' in page
    assert "7 March 2022" in squash(page) and "602/09/SOP/PBJ-PS/III-2022" in page
    assert "Apabila SOP ini tidak dibuat &lt;b&gt;" in page
    with app_session(web_app) as session:
        header = sopmetadata.get_header(session, user(session, "pemilik"), SOP_KEY)
        event = session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert header.approver_nip == "196709071989021001"
    assert header.legal_bases == ("Peraturan Presiden Nomor 18 Tahun 2018",
                                  "Peraturan LKPP Nomor 9 Tahun 2018")
    assert event.type == EventType.SOP_METADATA_UPDATED
    assert event.payload["changes"]["approver_nip"] == ["", "196709071989021001"]


def test_a_bad_nip_is_refused_beside_the_field_keeping_what_was_typed(web_app, client, login):
    vid = version_id(web_app)
    login("pemilik")
    in_english(client)
    path = f"/pemodel/versi/{vid}/sop"
    before = stored(web_app)
    bad = {**TYPED, "approver_nip": "19670907 198902 3 001", "effective_on": "2022-02-01"}
    answer = post_form(client, f"{path}/kepala", bad, page=path)
    page = text_of(answer)
    assert answer.status_code == 400
    assert stored(web_app) == before
    assert 'data-testid="form-errors"' in page
    nip_field = page.split('id="s-approver_nip"')[1].split("</div>")[0]
    assert 'value="19670907 198902 3 001"' in nip_field
    assert 'data-testid="error-approver_nip"' in nip_field and "gender" in nip_field
    assert 'aria-invalid="true"' in nip_field
    assert "cannot be before" in page.split('id="s-effective_on"')[1].split("</div>")[0]
    for name, value in TYPED.items():
        if name in ("approver_nip", "effective_on"):
            continue
        escaped = html.escape(value, quote=True)
        assert f'value="{escaped}"' in page or f">{html.escape(value, quote=False)}</textarea>" \
            in page, name
    # the document above still shows the stored (empty) header, not what was refused
    assert 'data-testid="sop-number"><span class="sop-empty">' in page


def test_a_post_without_the_csrf_token_is_refused(web_app, client, login):
    vid = version_id(web_app)
    login("pemilik")
    before = stored(web_app)
    answer = client.post(f"/pemodel/versi/{vid}/sop/kepala", data=TYPED)
    assert answer.status_code == 400
    assert stored(web_app) == before


def test_a_missing_version_is_404(web_app, client, login):
    login("pemilik")
    assert client.get("/pemodel/versi/987654/sop").status_code == 404


def test_a_runs_page_links_to_the_sop_document_of_its_version(web_app, client, login):
    from engine.services import instances
    from tests.conftest import T0
    from tests.support import answers

    with app_session(web_app) as session:
        run = instances.start_instance(session, user(session, "tim1"), SOP_KEY,
                                       answers("mulai-pelaksanaan"), T0)
        session.commit()
        run_id, vid = run.id, run.version_id
    login("kepala")
    page = client.get(f"/instances/{run_id}").get_data(as_text=True)
    assert f'href="/pemodel/versi/{vid}/sop" data-testid="sop-document-link"' in page
    assert page_of(client, vid).status_code == 200
