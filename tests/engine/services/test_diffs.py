"""The diff service: two versions of a process, or a draft and its base (contract 6).

`changed_sop` is the edit the issue names (row 6's Waktu 2 -> 3 working days, a label of
the socialisation form); the web and browser tests deploy the same one.
"""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from engine.models import DefinitionVersion, User
from engine.services import deployments, diffs, processdrafts
from tests.support import SOP_BPMN, SOP_KEY, SOP_LANE_ROLES, sop_forms

NEW_LABEL = "Ringkasan hasil sosialisasi"
OLD_LABEL = "Ringkasan pelaksanaan sosialisasi"


def changed_sop() -> tuple[bytes, dict]:
    """The shipped SOP with row 6's Waktu 2 -> 3 and one form label changed."""
    xml = SOP_BPMN.read_text(encoding="utf-8")
    xml = xml.replace('name="waktu_hari_kerja" value="2"', 'name="waktu_hari_kerja" value="3"', 1)
    forms = sop_forms()
    field = next(c for c in forms["laporan-sosialisasi"]["components"]
                 if c.get("key") == "ringkasan_sosialisasi")
    field["label"] = NEW_LABEL
    return xml.encode("utf-8"), forms


def deploy_changed_sop(session, now) -> DefinitionVersion:
    data, forms = changed_sop()
    return deployments.deploy_diagram(
        session, data, filename=SOP_BPMN.name, forms=forms,
        lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES), now=now).version


def user(session, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def summary(changes: list[dict]) -> list[tuple]:
    return [(c["kind"], c["element_id"], c["sop_step"], c["subject"], c["before"], c["after"],
             c["form_key"], c["field"]) for c in changes]


EXPECTED = [
    ("changed", "Task_06", "6", "property:waktu_hari_kerja", "2", "3", None, None),
    ("changed", "Task_09", "9", "field.label", OLD_LABEL, NEW_LABEL, "laporan-sosialisasi",
     "ringkasan_sosialisasi"),
]


def test_two_versions_differ_by_exactly_the_edit(session, now):
    version = deploy_changed_sop(session, now)
    assert version.version == 2
    result = diffs.diff_versions(session, user(session, "pemilik"), SOP_KEY, 1, 2)
    assert summary(result["changes"]) == EXPECTED
    assert result["definition"] == {"key": SOP_KEY, "name": "SOP Pengelolaan Kinerja"}
    assert (result["from"]["kind"], result["from"]["version"]) == ("version", 1)
    assert (result["to"]["version"], result["to"]["content_hash"]) == (2, version.content_hash)
    waktu, label = result["changes"]
    assert waktu["engine"] is True  # the engine builds row 6 differently
    assert label["engine"] is None  # a form is no task spec
    assert label["field_label"] == OLD_LABEL


def test_backwards_the_changes_are_reversed(session, now):
    deploy_changed_sop(session, now)
    result = diffs.diff_versions(session, user(session, "admin"), SOP_KEY, 2, 1)
    assert [(c["element_id"], c["before"], c["after"]) for c in result["changes"]] == [
        ("Task_06", "3", "2"), ("Task_09", NEW_LABEL, OLD_LABEL)]


def test_a_version_with_itself_has_no_changes(session):
    result = diffs.diff_versions(session, user(session, "pemilik"), SOP_KEY, 1, 1)
    assert result["changes"] == []


@pytest.mark.parametrize("username", ["tim1", "kepala", "pj.disdikbud", "auditor"])
def test_only_process_owners_and_admins_may_compare(session, username):
    actor = user(session, username)
    with pytest.raises(PermissionDeniedError) as refused:
        diffs.diff_versions(session, actor, SOP_KEY, 1, 1)
    assert refused.value.code == "modeler_only"
    with pytest.raises(PermissionDeniedError):
        diffs.list_comparable(session, actor)


def test_unknown_process_and_version_are_404(session):
    actor = user(session, "pemilik")
    with pytest.raises(NotFoundError) as unknown:
        diffs.diff_versions(session, actor, "tidak_ada", 1, 2)
    assert unknown.value.code == "definition_not_found"
    with pytest.raises(NotFoundError) as missing:
        diffs.diff_versions(session, actor, SOP_KEY, 1, 9)
    assert (missing.value.code, missing.value.details["version"]) == ("version_not_found", 9)


@pytest.mark.parametrize(("key", "old", "new", "field"), [
    (SOP_KEY, 0, 1, "from"), (SOP_KEY, 1, -2, "to"), (SOP_KEY, "1", 1, "from"),
    (SOP_KEY, True, 1, "from"), (SOP_KEY, 1, 2**31, "to"), ("", 1, 1, "definition"),
    ("x" * 121, 1, 1, "definition"),
])
def test_bad_parameters_are_400(session, key, old, new, field):
    with pytest.raises(InvalidInputError) as refused:
        diffs.diff_versions(session, user(session, "pemilik"), key, old, new)
    assert refused.value.code == "invalid_parameter"
    assert field in refused.value.details


def test_a_draft_against_its_base(session, now):
    owner = user(session, "pemilik")
    base = session.scalars(select(DefinitionVersion)).one()
    draft = processdrafts.create_from_version(session, owner, base.id, now)
    data, forms = changed_sop()
    draft.bpmn_xml, draft.forms = data.decode("utf-8"), forms
    session.flush()
    result = diffs.diff_draft(session, owner, draft.id)
    assert summary(result["changes"]) == EXPECTED
    assert (result["from"]["version"], result["to"]["kind"], result["to"]["id"]) == (
        1, "draft", draft.id)
    assert diffs.diagrams_of(session, result) == (base.bpmn_xml, draft.bpmn_xml)


def test_drafts_are_for_process_owners_and_must_exist(session, now):
    base = session.scalars(select(DefinitionVersion)).one()
    draft = processdrafts.create_from_version(session, user(session, "admin"), base.id, now)
    with pytest.raises(PermissionDeniedError):
        diffs.diff_draft(session, user(session, "kepala"), draft.id)
    with pytest.raises(NotFoundError) as missing:
        diffs.diff_draft(session, user(session, "pemilik"), draft.id + 1000)
    assert missing.value.code == "draft_not_found"


def test_a_draft_of_a_process_never_deployed_has_nothing_to_compare(session, now):
    owner = user(session, "pemilik")
    xml = SOP_BPMN.read_text(encoding="utf-8").replace(
        'id="sop_pengelolaan_kinerja"', 'id="proses_baru"').replace(
        'processRef="sop_pengelolaan_kinerja"', 'processRef="proses_baru"')
    draft = processdrafts.create_from_upload(session, owner, filename="baru.bpmn",
                                             data=xml.encode("utf-8"), forms={}, now=now)
    assert draft.base_version_id is None
    with pytest.raises(InvalidInputError) as refused:
        diffs.diff_draft(session, owner, draft.id)
    assert refused.value.code == "draft_without_base"


def test_the_pickers_list_every_process_and_its_versions(session, now):
    deploy_changed_sop(session, now)
    assert diffs.list_comparable(session, user(session, "admin")) == [
        {"key": SOP_KEY, "name": "SOP Pengelolaan Kinerja", "versions": [1, 2]}]


def test_changes_are_sorted_by_step_then_element_and_layout_comes_last():
    xml = SOP_BPMN.read_text(encoding="utf-8")
    new = (xml.replace('name="waktu_hari_kerja" value="5"', 'name="waktu_hari_kerja" value="4"', 5)
           .replace('keputusan_rencana == "setujui"', 'keputusan_rencana == "ya"')
           .replace('<dc:Bounds x="1510" y="350" width="100" height="80"/>',
                    '<dc:Bounds x="1520" y="350" width="100" height="80"/>')
           .replace('name="waktu_hari_kerja" value="1"', 'name="waktu_hari_kerja" value="2"', 1)
           .replace('<bpmn:flowNodeRef>Task_06</bpmn:flowNodeRef>', "")
           .replace('<bpmn:flowNodeRef>Task_05</bpmn:flowNodeRef>',
                    '<bpmn:flowNodeRef>Task_05</bpmn:flowNodeRef>'
                    '<bpmn:flowNodeRef>Task_06</bpmn:flowNodeRef>'))
    changes = diffs.compare_contents(xml, sop_forms(), new, sop_forms())
    assert [(c["element_id"], c["subject"]) for c in changes] == [
        ("Task_01", "property:waktu_hari_kerja"), ("Task_02", "property:waktu_hari_kerja"),
        ("Task_03", "property:waktu_hari_kerja"), ("Task_04", "property:waktu_hari_kerja"),
        ("Task_05", "property:waktu_hari_kerja"), ("F6a", "condition"),
        ("Task_06", "lane"), ("Task_07", "property:waktu_hari_kerja"), ("Task_08", "layout")]
    assert {c["element_id"]: c["engine"] for c in changes}["F6a"] is True
    assert {c["element_id"]: c["engine"] for c in changes}["Task_08"] is False


def test_a_form_that_no_step_uses_any_more_is_a_removed_form():
    xml = SOP_BPMN.read_text(encoding="utf-8")
    new = xml.replace('value="surat-edaran"', 'value="surat-edaran-baru"')
    forms = copy.deepcopy(sop_forms())
    forms["surat-edaran-baru"] = forms.pop("surat-edaran")
    changes = diffs.compare_contents(xml, sop_forms(), new, forms)
    assert [(c["kind"], c["element_id"], c["subject"], c["form_key"]) for c in changes] == [
        ("changed", "Task_07", "property:form_key", None),
        ("removed", "Task_07", "form", "surat-edaran"),
        ("added", "Task_07", "form", "surat-edaran-baru"),
    ]


def test_nothing_is_written(session, now):
    deploy_changed_sop(session, now)
    before = session.scalar(select(func.count()).select_from(DefinitionVersion))
    diffs.diff_versions(session, user(session, "pemilik"), SOP_KEY, 1, 2)
    assert not session.new and not session.dirty
    assert session.scalar(select(func.count()).select_from(DefinitionVersion)) == before
