"""Process owners' drafts: compare-and-set saves, read-only once deployed, forms checked like
submissions, and deploys (kept or refused) that go through deploy_diagram and the audit log."""

from __future__ import annotations

import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.db import read_only, unit_of_work
from engine.errors import (
    ConflictError,
    DomainError,
    InvalidDiagramError,
    InvalidInputError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
)
from engine.models import Definition, DefinitionVersion, Event, ProcessDraft
from engine.services import processdrafts
from engine.services.deployments import latest_version
from tests.conftest import isolated_database, racing_factory
from tests.support import SOP_BPMN, SOP_KEY, make_factory, sop_forms, user

OTHER_ROLES = ("kepala", "tim1", "pj.disdikbud", "auditor")


def sop_text() -> str:
    return SOP_BPMN.read_text(encoding="utf-8")


def with_waktu(text: str, element_id: str, days: int) -> str:
    """The diagram with one row's Waktu (waktu_hari_kerja) changed."""
    start = text.index(f'id="{element_id}"')
    pattern = re.compile(r'(name="waktu_hari_kerja" value=")\d+(")')
    found = pattern.search(text, start)
    return text[:found.start()] + f"{found.group(1)}{days}{found.group(2)}" + text[found.end():]


def without_form_key(text: str, element_id: str) -> str:
    start = text.index(f'id="{element_id}"')
    pattern = re.compile(r'\s*<spiffworkflow:property name="form_key" value="[^"]*"/>')
    found = pattern.search(text, start)
    return text[:found.start()] + text[found.end():]


def counts(session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (ProcessDraft, Definition, DefinitionVersion, Event)}


def new_draft(session, now, username="pemilik") -> ProcessDraft:
    version = latest_version(session, SOP_KEY)
    return processdrafts.create_from_version(session, user(session, username), version.id, now)


# ---- creating and reading ------------------------------------------------------------------

def test_a_draft_from_a_version_holds_its_diagram_and_forms(session, now):
    version = latest_version(session, SOP_KEY)
    draft = new_draft(session, now)
    assert (draft.revision, draft.definition_key, draft.base_version_id) == (1, SOP_KEY,
                                                                             version.id)
    assert draft.bpmn_xml == version.bpmn_xml and draft.forms == version.forms
    assert draft.created_by.username == draft.updated_by.username == "pemilik"
    assert draft.deployed_version_id is None
    assert [d.id for d in processdrafts.list_drafts(session, user(session, "admin"))] == [draft.id]


def test_an_upload_becomes_a_draft_based_on_the_newest_version(session, now):
    pemilik = user(session, "pemilik")
    draft = processdrafts.create_from_upload(
        session, pemilik, filename="C:\\Users\\siti\\sop-baru.bpmn", data=SOP_BPMN.read_bytes(),
        forms={"laporan-akhir": sop_forms()["laporan-akhir"]}, now=now)
    assert draft.filename == "sop-baru.bpmn" and draft.definition_key == SOP_KEY
    assert draft.base_version_id == latest_version(session, SOP_KEY).id
    assert draft.title == "SOP Pengelolaan Kinerja"
    assert set(draft.forms) == {"laporan-akhir"}


@pytest.mark.parametrize(("data", "error", "code"), [
    (b"not xml at all", InvalidDiagramError, "bpmn_malformed"),
    (b"<?xml version='1.0'?><html/>", InvalidDiagramError, "bpmn_not_bpmn"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', InvalidDiagramError, "bpmn_doctype_forbidden"),
    (SOP_BPMN.read_bytes().replace(b"Kepala UKPBJ", "Kepala UKPBJ é".encode("latin-1"), 1),
     InvalidInputError, "bpmn_not_utf8"),
    (b"<x>" + b" " * (2 * 1024 * 1024) + b"</x>", PayloadTooLargeError, "bpmn_too_large"),
])
def test_an_unreadable_upload_stores_nothing(session, now, data, error, code):
    before = counts(session)
    with pytest.raises(error) as refused:
        processdrafts.create_from_upload(session, user(session, "pemilik"), filename="x.bpmn",
                                         data=data, forms={}, now=now)
    assert refused.value.code == code
    assert counts(session) == before


def test_an_upload_with_a_form_the_server_cannot_enforce_stores_nothing(session, now):
    form = {"components": [{"type": "iframe", "key": "peta", "label": "Peta"}]}
    before = counts(session)
    with pytest.raises(DomainError) as refused:
        processdrafts.create_from_upload(session, user(session, "pemilik"), filename="x.bpmn",
                                         data=SOP_BPMN.read_bytes(), forms={"peta": form},
                                         now=now)
    assert refused.value.code == "invalid_form" and refused.value.status == 400
    assert "'peta'" in refused.value.message and "iframe" in refused.value.message
    assert counts(session) == before


@pytest.mark.parametrize("username", OTHER_ROLES)
def test_other_roles_may_neither_read_nor_write_drafts(session, now, username):
    draft = new_draft(session, now)
    person, before = user(session, username), counts(session)
    attempts = [
        lambda: processdrafts.get_draft(session, person, draft.id),
        lambda: processdrafts.list_drafts(session, person),
        lambda: processdrafts.create_from_version(session, person, draft.base_version_id, now),
        lambda: processdrafts.create_from_upload(session, person, filename="x.bpmn",
                                                 data=SOP_BPMN.read_bytes(), forms={}, now=now),
        lambda: processdrafts.save_draft(session, person, draft.id, revision=1,
                                         bpmn_xml=sop_text(), now=now),
        lambda: processdrafts.save_form(session, person, draft.id, "baru",
                                        {"components": []}, revision=1, now=now),
        lambda: processdrafts.copy_draft(session, person, draft.id, bpmn_xml=sop_text(),
                                         forms={}, now=now),
        lambda: processdrafts.check_draft(session, person, draft.id),
        lambda: processdrafts.deploy_draft(session, person, draft.id, revision=1, now=now),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDeniedError) as refused:
            attempt()
        assert refused.value.code == "modeler_only"
    assert counts(session) == before and draft.revision == 1


def test_a_missing_draft_is_404(session):
    with pytest.raises(NotFoundError) as missing:
        processdrafts.get_draft(session, user(session, "pemilik"), 999_999)
    assert missing.value.code == "draft_not_found"


# ---- saving --------------------------------------------------------------------------------

def test_each_save_moves_the_revision_and_notes_who(session, now):
    draft = new_draft(session, now)
    later = now + timedelta(minutes=3)
    changed = with_waktu(draft.bpmn_xml, "Task_06", 3)
    saved = processdrafts.save_draft(session, user(session, "admin"), draft.id, revision=1,
                                     bpmn_xml=changed, now=later)
    assert (saved.revision, saved.bpmn_xml, saved.updated_by.username) == (2, changed, "admin")
    assert saved.updated_at == later and saved.created_by.username == "pemilik"
    forms = {**saved.forms, "baru": {"components": []}}
    again = processdrafts.save_draft(session, user(session, "pemilik"), draft.id, revision=2,
                                     forms=forms, now=later)
    assert again.revision == 3 and "baru" in again.forms and again.bpmn_xml == changed


def test_a_save_from_an_old_revision_is_a_conflict_naming_who_saved(session, now):
    draft = new_draft(session, now)
    later = now + timedelta(minutes=1)
    processdrafts.save_draft(session, user(session, "admin"), draft.id, revision=1,
                             bpmn_xml=with_waktu(draft.bpmn_xml, "Task_06", 3), now=later)
    kept = draft.bpmn_xml
    with pytest.raises(ConflictError) as conflict:
        processdrafts.save_draft(session, user(session, "pemilik"), draft.id, revision=1,
                                 bpmn_xml=sop_text(), now=later + timedelta(seconds=5))
    assert conflict.value.code == "draft_conflict"
    assert conflict.value.details == {"revision": 2,
                                      "updated_by": user(session, "admin").full_name,
                                      "updated_at": later.isoformat()}
    session.refresh(draft)
    assert draft.revision == 2 and draft.bpmn_xml == kept


def test_a_save_that_is_not_bpmn_changes_nothing(session, now):
    draft = new_draft(session, now)
    with pytest.raises(InvalidDiagramError) as refused:
        processdrafts.save_draft(session, user(session, "pemilik"), draft.id, revision=1,
                                 bpmn_xml="<notbpmn/>", now=now)
    assert refused.value.code == "bpmn_not_bpmn"
    session.refresh(draft)
    assert draft.revision == 1


def test_a_form_the_server_cannot_enforce_is_refused_naming_the_component(session, now):
    draft = new_draft(session, now)
    bad = {"components": [
        {"type": "textfield", "key": "judul", "label": "Judul"},
        {"type": "textfield", "key": "catatan", "label": "Catatan",
         "conditional": {"hide": "=judul.length > 3"}},
    ]}
    with pytest.raises(DomainError) as refused:
        processdrafts.save_form(session, user(session, "pemilik"), draft.id, "baru", bad,
                                revision=1, now=now)
    assert refused.value.code == "invalid_form" and refused.value.status == 400
    assert "'catatan'" in refused.value.message
    assert refused.value.details == {"form": "baru"}
    session.refresh(draft)
    assert draft.revision == 1 and "baru" not in draft.forms


def test_a_form_is_saved_with_the_revision(session, now):
    draft = new_draft(session, now)
    form = {"components": [{"type": "textfield", "key": "judul", "label": "Judul"}]}
    saved = processdrafts.save_form(session, user(session, "pemilik"), draft.id, "baru", form,
                                    revision=1, now=now)
    assert saved.revision == 2 and saved.forms["baru"] == form
    with pytest.raises(ConflictError):
        processdrafts.save_form(session, user(session, "pemilik"), draft.id, "baru", form,
                                revision=1, now=now)


@pytest.mark.parametrize(("key", "schema", "code"), [
    ("../etc", {"components": []}, "invalid_form_key"),
    ("baru", {"components": [{"type": "text", "text": "x" * (300 * 1024)}]}, "form_too_large"),
    ("baru", ["not", "a", "form"], "invalid_form"),
])
def test_form_keys_and_sizes_are_bounded(session, now, key, schema, code):
    draft = new_draft(session, now)
    with pytest.raises(DomainError) as refused:
        processdrafts.save_form(session, user(session, "pemilik"), draft.id, key, schema,
                                revision=1, now=now)
    assert refused.value.code == code
    session.refresh(draft)
    assert draft.revision == 1


def test_a_copy_keeps_the_base_and_takes_the_given_content(session, now):
    draft = new_draft(session, now)
    changed = with_waktu(draft.bpmn_xml, "Task_06", 4)
    copy = processdrafts.copy_draft(session, user(session, "admin"), draft.id, bpmn_xml=changed,
                                    forms=draft.forms, now=now, title="Salinan")
    assert copy.id != draft.id and copy.base_version_id == draft.base_version_id
    assert (copy.bpmn_xml, copy.title, copy.revision) == (changed, "Salinan", 1)
    assert copy.created_by.username == "admin"


# ---- checking and deploying ----------------------------------------------------------------

def test_check_lists_the_problems_and_stores_nothing(session, now):
    draft = new_draft(session, now)
    processdrafts.save_draft(session, user(session, "pemilik"), draft.id, revision=1,
                             bpmn_xml=without_form_key(draft.bpmn_xml, "Task_06"), now=now)
    before = counts(session)
    problems = processdrafts.check_draft(session, user(session, "pemilik"), draft.id)
    assert any(p["element_id"] == "Task_06" for p in problems), problems
    assert all(set(p) == {"element_id", "rule", "message", "params"} for p in problems)
    assert all(p["rule"].startswith("alur/") for p in problems)
    assert counts(session) == before


def test_a_clean_draft_has_no_problems(session, now):
    draft = new_draft(session, now)
    assert processdrafts.check_draft(session, user(session, "pemilik"), draft.id) == []


def test_deploy_makes_a_new_version_and_the_draft_read_only(session, now):
    draft = new_draft(session, now)
    pemilik = user(session, "pemilik")
    processdrafts.save_draft(session, pemilik, draft.id, revision=1,
                             bpmn_xml=with_waktu(draft.bpmn_xml, "Task_06", 3), now=now)
    deployed = processdrafts.deploy_draft(session, pemilik, draft.id, revision=2, now=now)
    assert deployed.created and deployed.version.version == 2
    assert deployed.version.deployed_by_id == pemilik.id
    assert draft.deployed_version_id == deployed.version.id and draft.revision == 3
    event = session.scalars(select(Event).where(Event.instance_id.is_(None))
                            .order_by(Event.seq.desc()).limit(1)).one()
    assert (event.type, event.actor_id) == ("deployment_created", pemilik.id)
    assert event.payload["content_hash"] == deployed.version.content_hash
    before = counts(session)
    attempts = [
        lambda: processdrafts.save_draft(session, pemilik, draft.id, revision=3,
                                         bpmn_xml=draft.bpmn_xml, now=now),
        lambda: processdrafts.save_form(session, pemilik, draft.id, "baru",
                                        {"components": []}, revision=3, now=now),
        lambda: processdrafts.deploy_draft(session, pemilik, draft.id, revision=3, now=now),
    ]
    for attempt in attempts:
        with pytest.raises(ConflictError) as refused:
            attempt()
        assert refused.value.code == "draft_deployed"
        assert refused.value.details["version"] == 2
    assert counts(session) == before
    assert processdrafts.list_drafts(session, pemilik) == []
    assert processdrafts.list_drafts(session, pemilik, include_deployed=True) == [draft]


def test_deploying_unchanged_content_returns_the_existing_version(session, now):
    draft = new_draft(session, now)
    before = counts(session)
    deployed = processdrafts.deploy_draft(session, user(session, "pemilik"), draft.id,
                                          revision=1, now=now)
    assert not deployed.created and deployed.version.id == draft.base_version_id
    assert draft.deployed_version_id == draft.base_version_id
    assert counts(session)["definition_versions"] == before["definition_versions"]


def test_deploy_from_an_old_revision_is_a_conflict(session, now):
    draft = new_draft(session, now)
    processdrafts.save_draft(session, user(session, "admin"), draft.id, revision=1,
                             bpmn_xml=with_waktu(draft.bpmn_xml, "Task_06", 3), now=now)
    before = counts(session)
    with pytest.raises(ConflictError) as conflict:
        processdrafts.deploy_draft(session, user(session, "pemilik"), draft.id, revision=1,
                                   now=now)
    assert conflict.value.code == "draft_conflict" and conflict.value.details["revision"] == 2
    assert counts(session) == before


def test_a_refused_deploy_stores_nothing_but_its_audit_event(session, now):
    draft = new_draft(session, now)
    pemilik = user(session, "pemilik")
    processdrafts.save_draft(session, pemilik, draft.id, revision=1,
                             bpmn_xml=without_form_key(draft.bpmn_xml, "Task_06"), now=now)
    session.commit()  # the saved draft stays; the refused deploy below is rolled back
    before = counts(session)
    with pytest.raises(InvalidDiagramError) as refused:
        processdrafts.deploy_draft(session, pemilik, draft.id, revision=2, now=now)
    assert any(p["element_id"] == "Task_06" for p in refused.value.details["problems"])
    session.rollback()  # as the request's transaction does on a 400
    after = counts(session)
    assert after == {**before, "events": before["events"] + 1}
    event = session.scalars(select(Event).where(Event.instance_id.is_(None))
                            .order_by(Event.seq.desc()).limit(1)).one()
    assert (event.type, event.actor_id) == ("deployment_rejected", pemilik.id)
    assert event.occurred_at == now
    assert event.payload["code"] == "invalid_diagram"
    problems = event.payload["details"]["problems"]
    assert any(p["element_id"] == "Task_06" and p["rule"].startswith("alur/") for p in problems)
    assert re.fullmatch(r"[0-9a-f]{64}", event.payload["sha256"])
    session.refresh(draft)
    assert draft.deployed_version_id is None and draft.revision == 2


# ---- two owners at the same moment (real commits) -----------------------------------------

@pytest.fixture(scope="module")
def race_factory(database_url, tmp_path_factory):
    yield from racing_factory(database_url, "drafts_race", tmp_path_factory.mktemp("drafts"))


def _committed_draft(factory, now) -> int:
    with unit_of_work(factory) as session:
        draft_id = new_draft(session, now).id
        session.commit()
        return draft_id


def _save_together(factory, draft_id: int, now) -> list[str]:
    """pemilik (Waktu 3) and admin (Waktu 4) save revision 1 at the same moment, each in
    a thread and a transaction of their own; returns who saved or the refusal's code."""
    barrier, outcomes = threading.Barrier(2), []

    def save(username, days):
        barrier.wait()
        try:
            with unit_of_work(factory) as session:
                person = user(session, username)
                draft = processdrafts.get_draft(session, person, draft_id)
                processdrafts.save_draft(session, person, draft_id, revision=1,
                                         bpmn_xml=with_waktu(draft.bpmn_xml, "Task_06", days),
                                         now=now)
                session.commit()
            outcomes.append(username)
        except ConflictError as error:
            outcomes.append(error.code)

    threads = [threading.Thread(target=save, args=args) for args in (("pemilik", 3),
                                                                     ("admin", 4))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_owners_saving_at_once_exactly_one_wins(race_factory, now):
    for round_no in range(10):
        draft_id = _committed_draft(race_factory, now)
        outcomes = _save_together(race_factory, draft_id, now + timedelta(seconds=round_no))
        assert len(outcomes) == 2 and outcomes.count("draft_conflict") == 1, outcomes
        winner = next(o for o in outcomes if o != "draft_conflict")
        with read_only(race_factory) as session:
            draft = session.get(ProcessDraft, draft_id)
            days = 3 if winner == "pemilik" else 4
            assert draft.revision == 2 and draft.updated_by.username == winner
            assert f'name="waktu_hari_kerja" value="{days}"' in draft.bpmn_xml


def test_a_save_waiting_behind_another_finds_the_revision_moved(database_url, tmp_path,
                                                                 now):
    """PostgreSQL: both read revision 1; the second UPDATE waits on the first one's row
    lock and, once it commits, matches no row, so it can never overwrite it."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a row lock to wait on is PostgreSQL's; SQLite serializes whole "
                    "transactions (test_two_owners_saving_at_once_exactly_one_wins)")
    factory = make_factory(isolated_database(database_url, "drafts_lock", tmp_path))
    draft_id = _committed_draft(factory, now)
    first, second = factory(), factory()
    try:
        seen = processdrafts.get_draft(second, user(second, "admin"), draft_id)
        assert seen.revision == 1
        processdrafts.save_draft(first, user(first, "pemilik"), draft_id, revision=1,
                                 bpmn_xml=with_waktu(seen.bpmn_xml, "Task_06", 3), now=now)
        outcome = []

        def late_save():
            try:
                processdrafts.save_draft(second, user(second, "admin"), draft_id, revision=1,
                                         bpmn_xml=seen.bpmn_xml, now=now)
                outcome.append("saved")
            except ConflictError as error:
                outcome.append(error.details)

        waiting = threading.Thread(target=late_save)
        waiting.start()
        time.sleep(0.5)
        assert waiting.is_alive() and outcome == []  # blocked on the row lock
        first.commit()
        waiting.join(timeout=30)
        assert outcome and outcome[0]["revision"] == 2, outcome
        assert outcome[0]["updated_by"] == user(second, "pemilik").full_name
    finally:
        first.close()
        second.close()
        factory.kw["bind"].dispose()
