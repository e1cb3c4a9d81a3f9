"""The shared lint catalog (tests/fixtures/lint): each failing example yields exactly its
rule on its element, each passing example yields nothing, through the checks deploy runs.

The browser lint plugin runs the same files against the same table (expected.json), so the
two can never disagree silently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.bpmn.lint import SERVER_RULES, SHARED_RULES
from engine.errors import InvalidDiagramError
from engine.forms import load_forms
from engine.services import deployments
from tests.support import ROOT, SOP_LANE_ROLES

CATALOG = ROOT / "tests" / "fixtures" / "lint"
EXPECTED: dict[str, list[list[str]]] = json.loads((CATALOG / "expected.json").read_text())
FORMS = load_forms(CATALOG / "forms")
LANES = deployments.load_lane_roles(SOP_LANE_ROLES)


def check(session, name: str) -> list[dict]:
    data = (CATALOG / name).read_bytes()
    return deployments.check_deploy(
        session, data, filename=Path(name).name, forms=FORMS, lane_roles=LANES
    )


def test_the_catalog_lists_every_file_and_covers_every_shared_rule():
    on_disk = {str(path.relative_to(CATALOG)) for path in CATALOG.glob("*/*.bpmn")}
    assert on_disk == set(EXPECTED)
    failing_rules = {Path(n).parts[0] for n in EXPECTED if Path(n).name.startswith("fail-")}
    assert {f"alur/{rule}" for rule in failing_rules} == set(SHARED_RULES)
    readme = (CATALOG / "README.md").read_text()
    assert all(f"`{name}`" in readme for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_example_yields_exactly_its_rule_on_its_element(session, name):
    problems = check(session, name)
    assert {(p["rule"], p["element_id"]) for p in problems} == {tuple(e) for e in EXPECTED[name]}
    for problem in problems:
        assert set(problem) == {"element_id", "rule", "message", "params"}
        assert problem["rule"] in SHARED_RULES + SERVER_RULES
        assert problem["message"] and problem["message"].isascii()
        assert problem["params"]["kind"] and "name" in problem["params"]


def test_a_failing_example_is_refused_and_a_passing_one_deploys(session, now):
    with pytest.raises(InvalidDiagramError) as refused:
        deployments.deploy_diagram(
            session, (CATALOG / "sop-step-unique" / "fail-same-step.bpmn").read_bytes(),
            filename="x.bpmn", forms=FORMS, lane_roles=LANES, now=now,
        )
    assert refused.value.code == "invalid_diagram"
    assert [p["params"]["step"] for p in refused.value.details["problems"]] == ["1", "1"]
    deployed = deployments.deploy_diagram(
        session, (CATALOG / "pass" / "lane-role-default.bpmn").read_bytes(),
        filename="x.bpmn", forms=FORMS, lane_roles=LANES, now=now,
    )
    assert deployed.created


def test_messages_name_the_element_and_what_to_do(session):
    [gateway] = check(session, "gateway-conditions/fail-no-default.bpmn")
    assert gateway["params"]["flows"] == ["Flow_Ya"]
    assert gateway["params"]["flow_names"] == ["Ya"]
    assert "'Disetujui?'" in gateway["message"]
    [waktu] = check(session, "waktu-positive/fail-zero.bpmn")
    assert waktu["params"] == {"value": "0", "kind": "userTask", "name": "2. Menyetujui usulan",
                               "sop_step": "2"}
    duplicates = check(session, "sop-step-unique/fail-same-step.bpmn")
    assert duplicates[0]["params"]["others"] == ["Task_B"]
    assert duplicates[0]["params"]["other_names"] == ["2. Menyetujui usulan"]
    [lane] = check(session, "lane-role/fail-unknown-role.bpmn")
    assert lane["params"] | {"case": "unknown_role", "role": "bendahara", "lane": "Kepala"} == (
        lane["params"])
