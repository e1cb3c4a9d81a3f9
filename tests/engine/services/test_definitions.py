"""Definitions for their owners: versions with their runs counted in one query, and deploys
through deploy_checked (the modeler's and the API's one door to deploy_diagram)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from engine.errors import (
    InvalidDiagramError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from engine.models import Definition, DefinitionVersion, Event, ProcessDraft, ProcessInstance
from engine.models.instances import STATUS_COMPLETED
from engine.services import definitions
from tests.engine.services.test_processdrafts import with_waktu
from tests.support import SOP_BPMN, SOP_KEY, sop_forms, start_sop, user


def counts(session) -> dict[str, int]:
    return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (ProcessDraft, Definition, DefinitionVersion, Event)}


def deploy_waktu(session, now, days: int):
    """A new version of the SOP with row 6's Waktu set to `days`, deployed by pemilik."""
    data = with_waktu(SOP_BPMN.read_text(encoding="utf-8"), "Task_06", days).encode()
    return definitions.deploy_checked(session, user(session, "pemilik"), filename="sop.bpmn",
                                      data=data, forms=sop_forms(), now=now, key=SOP_KEY)


class StatementCounter:
    def __init__(self, session):
        self.engine = session.get_bind().engine
        self.statements: list[str] = []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_):
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


def test_versions_newest_first_with_who_deployed_and_their_runs(session, now):
    first = [start_sop(session, now) for _ in range(3)]
    session.execute(update(ProcessInstance).where(ProcessInstance.id == first[0].id)
                    .values(status=STATUS_COMPLETED))
    second = deploy_waktu(session, now + timedelta(days=1), 3)
    assert second.created
    start_sop(session, now + timedelta(days=1))
    found = definitions.list_definitions(session, user(session, "pemilik"))
    sop = next(d for d in found if d.key == SOP_KEY)
    assert sop.name == "SOP Pengelolaan Kinerja"
    assert [v.number for v in sop.versions] == [2, 1] and sop.latest.number == 2
    newest, oldest = sop.versions
    assert (newest.running, newest.finished) == (1, 0)
    assert (oldest.running, oldest.finished) == (2, 1)
    assert newest.deployed_by == user(session, "pemilik").full_name
    assert oldest.deployed_by is None  # the CLI deploys as nobody
    assert newest.deployed_at == now + timedelta(days=1)
    assert newest.short_hash == second.version.content_hash[:12] and len(newest.short_hash) == 12


def test_listing_costs_the_same_queries_however_many_versions(session, now):
    admin = user(session, "admin")
    definitions.list_definitions(session, admin)  # warm: user's roles and the like
    with StatementCounter(session) as few:
        definitions.list_definitions(session, admin)
    for days in (3, 4, 5, 6):
        deploy_waktu(session, now, days)
        start_sop(session, now)
    session.flush()
    with StatementCounter(session) as many:
        found = definitions.list_definitions(session, admin)
    assert len(found[0].versions) == 5
    assert many.count == few.count <= 3, many.statements


@pytest.mark.parametrize("username", ("kepala", "tim1", "pj.disdikbud", "auditor"))
def test_other_roles_see_no_definitions_and_deploy_nothing(session, now, username):
    person, before = user(session, username), counts(session)
    with pytest.raises(PermissionDeniedError):
        definitions.list_definitions(session, person)
    with pytest.raises(PermissionDeniedError):
        definitions.get_definition(session, person, SOP_KEY)
    with pytest.raises(PermissionDeniedError):
        definitions.get_version(session, person, 1)
    with pytest.raises(PermissionDeniedError):
        definitions.deploy_checked(session, person, filename="sop.bpmn",
                                   data=SOP_BPMN.read_bytes(), forms=sop_forms(), now=now)
    session.rollback()
    assert counts(session) == before  # not even a refusal: nobody asked who may not


def test_an_unknown_definition_or_version_is_404(session):
    pemilik = user(session, "pemilik")
    with pytest.raises(NotFoundError) as missing:
        definitions.get_definition(session, pemilik, "tidak_ada")
    assert missing.value.code == "definition_not_found"
    with pytest.raises(NotFoundError) as missing:
        definitions.get_version(session, pemilik, 999_999)
    assert missing.value.code == "version_not_found"


def test_the_same_content_again_is_the_existing_version(session, now):
    before = counts(session)
    again = definitions.deploy_checked(session, user(session, "admin"), filename="sop.bpmn",
                                       data=SOP_BPMN.read_bytes(), forms=sop_forms(), now=now,
                                       key=SOP_KEY)
    assert not again.created and again.version.version == 1
    assert counts(session) == before


def rejected(session) -> Event:
    return session.scalars(select(Event).where(Event.type == "deployment_rejected")
                           .order_by(Event.seq.desc()).limit(1)).one()


def test_a_diagram_of_another_process_is_refused_saying_so(session, now):
    session.commit()
    before = counts(session)
    with pytest.raises(InvalidInputError) as refused:
        definitions.deploy_checked(session, user(session, "pemilik"), filename="sop.bpmn",
                                   data=SOP_BPMN.read_bytes(), forms=sop_forms(), now=now,
                                   key="proses_lain")
    assert refused.value.code == "definition_key_mismatch"
    assert refused.value.details == {"key": "proses_lain", "main_process_id": SOP_KEY}
    assert SOP_KEY in refused.value.message and "proses_lain" in refused.value.message
    session.rollback()
    assert counts(session) == {**before, "events": before["events"] + 1}
    payload = rejected(session).payload
    assert payload["code"] == "definition_key_mismatch"
    assert payload["details"]["problems"][0]["message"] == refused.value.message


def test_a_form_the_server_cannot_enforce_is_a_problem_of_the_deploy(session, now):
    session.commit()
    forms = sop_forms()
    forms["laporan-akhir"]["components"].append({"type": "iframe", "key": "peta",
                                                 "label": "Peta"})
    before = counts(session)
    with pytest.raises(InvalidDiagramError) as refused:
        definitions.deploy_checked(session, user(session, "pemilik"), filename="sop.bpmn",
                                   data=SOP_BPMN.read_bytes(), forms=forms, now=now)
    problem = next(p for p in refused.value.details["problems"]
                   if p["rule"] == "alur/form-schema")
    assert "'laporan-akhir'" in problem["message"] and "'peta'" in problem["message"]
    assert problem["params"]["form"] == "laporan-akhir"
    session.rollback()
    assert counts(session) == {**before, "events": before["events"] + 1}
    assert rejected(session).payload["details"]["problems"][0]["rule"] == "alur/form-schema"


def test_problems_always_have_the_contract_shape(session):
    problems = definitions.check_content(session, data=b"<definitions/>", filename="x.bpmn",
                                         forms={})
    assert problems == [{"element_id": None, "rule": "alur/engine",
                         "message": "This file is not a BPMN diagram", "params": {}}]
    assert definitions.check_content(session, data=SOP_BPMN.read_bytes(), filename="x.bpmn",
                                     forms=sop_forms()) == []
