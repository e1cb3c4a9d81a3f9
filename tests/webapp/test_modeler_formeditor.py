"""The form editor page (GET /pemodel/draf/<id>/formulir/<key>): who may open it, what it
hands its script, the draft's forms as links, a form that does not exist yet, a deployed
draft. Saving is the draft endpoints' job (webapp/modeler/drafts.py); the browser test
tests/browser/test_form_editor.py drives the editor itself."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from engine.forms.schemas import SUPPORTED_TYPES
from engine.models import DefinitionVersion, ProcessDraft
from engine.services import processdrafts
from tests.conftest import T0
from tests.support import user
from tests.webapp.inbox_support import app_session, text_of

FORM = "persetujuan-rencana"  # row 6's form
CONFIG = re.compile(
    r'<script type="application/json" id="form-editor-config">(.*?)</script>', re.S)
NOT_MODELERS = ("tim1", "kepala", "pj.disdikbud", "auditor")


def make_draft(web_app, username: str = "pemilik") -> int:
    with app_session(web_app) as session:
        version = session.scalars(select(DefinitionVersion).order_by(DefinitionVersion.id)).first()
        return processdrafts.create_from_version(session, user(session, username), version.id,
                                                 T0).id


def page_url(draft_id: int, key: str = FORM) -> str:
    return f"/pemodel/draf/{draft_id}/formulir/{key}"


def config_of(page: str) -> dict:
    match = CONFIG.search(page)
    assert match, "the page carries no configuration block"
    return json.loads(match.group(1))


def draft_rows(web_app) -> int:
    with app_session(web_app) as session:
        return session.scalar(select(func.count()).select_from(ProcessDraft))


@pytest.mark.parametrize("username", ["pemilik", "admin"])
def test_the_page_opens_a_form_of_the_draft(web_app, client, login, username):
    draft_id = make_draft(web_app)
    login(username)
    response = client.get(page_url(draft_id))
    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="form-editor"' in page and 'data-testid="form-preview"' in page
    assert f"/pemodel/draf/{draft_id}\"" in page  # back to the diagram editor
    assert "<script>" not in page  # the CSP allows no inline script
    config = config_of(page)
    assert config["draftId"] == draft_id and config["key"] == FORM
    assert config["exists"] is True and config["readOnly"] is False
    assert config["urls"] == {
        "load": f"/pemodel/draf/{draft_id}/isi",
        "save": f"/pemodel/draf/{draft_id}/formulir/{FORM}",
        "copy": f"/pemodel/draf/{draft_id}/salin",
        "copyEditor": f"/pemodel/draf/{{id}}/formulir/{FORM}",
    }
    assert config["supportedTypes"] == sorted(SUPPORTED_TYPES)
    assert config["sample"]["keputusan_rencana"] == "setujui"  # forms/samples/sop-answers.json
    assert config["csrfToken"]
    assert all(isinstance(text, str) and text for text in config["texts"].values())
    assert "{time}" in config["texts"]["savedAt"]  # filled in by the script


def test_the_switcher_lists_every_form_with_the_steps_using_it(web_app, client, login):
    draft_id = make_draft(web_app)
    login("pemilik")
    page = text_of(client.get(page_url(draft_id)))
    with app_session(web_app) as session:
        keys = sorted(session.get(ProcessDraft, draft_id).forms)
    for key in keys:
        assert f'href="/pemodel/draf/{draft_id}/formulir/{key}"' in page
    assert f'href="/pemodel/draf/{draft_id}/formulir/{FORM}" data-fe-leave\n' \
           '         aria-current="page"' in page
    # the step that shows this form, its number said once
    assert "6: Analisis dan persetujuan rencana kinerja" in page


@pytest.mark.parametrize("username", NOT_MODELERS)
def test_other_roles_get_403(web_app, client, login, username):
    draft_id = make_draft(web_app)
    login(username)
    response = client.get(page_url(draft_id))
    assert response.status_code == 403
    assert "form-editor-config" not in text_of(response)


def test_unknown_draft_is_404_and_nothing_is_created(web_app, client, login):
    before = draft_rows(web_app)
    login("pemilik")
    response = client.get(page_url(987654), headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "draft_not_found"
    assert draft_rows(web_app) == before


def test_a_key_that_is_not_a_form_key_is_404(web_app, client, login):
    draft_id = make_draft(web_app)
    login("pemilik")
    response = client.get(page_url(draft_id, "bad%20key!"), headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "form_not_found"


def test_signed_out_visitors_are_sent_to_sign_in(web_app, client):
    draft_id = make_draft(web_app)
    response = client.get(page_url(draft_id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_form_the_draft_lacks_can_be_created(web_app, client, login):
    draft_id = make_draft(web_app)
    login("pemilik")
    response = client.get(page_url(draft_id, "formulir-baru"))
    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="form-missing"' in page and 'data-testid="create-form"' in page
    assert 'data-testid="form-editor"' not in page
    config = config_of(page)
    assert config["exists"] is False
    assert config["urls"]["save"] == f"/pemodel/draf/{draft_id}/formulir/formulir-baru"


def test_a_deployed_draft_shows_its_form_read_only(web_app, client, login):
    draft_id = make_draft(web_app)
    with app_session(web_app) as session:  # identical content: the existing version
        processdrafts.deploy_draft(session, user(session, "pemilik"), draft_id, revision=1,
                                   now=T0)
    login("pemilik")
    page = text_of(client.get(page_url(draft_id)))
    assert 'data-testid="form-read-only"' in page
    assert 'data-testid="form-editor"' not in page and 'data-testid="save-form"' not in page
    assert config_of(page)["readOnly"] is True
