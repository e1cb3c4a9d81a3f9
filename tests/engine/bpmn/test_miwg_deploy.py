"""The OMG interchange models (../shared/conformance/miwg-reference) through deploy: each is
either deployed or refused with problems that each name a rule and say what is wrong;
never another exception (a crash would be a 500 in the API and the modeler)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.bpmn.lint import SERVER_RULES, SHARED_RULES
from engine.errors import InvalidDiagramError
from engine.models import DefinitionVersion
from engine.services import deployments
from tests.conftest import SHARED
from tests.support import SOP_LANE_ROLES

MIWG = SHARED / "conformance" / "miwg-reference"
FILES = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []


def test_the_reference_models_are_there():
    if not FILES:
        pytest.skip(f"../shared is not beside the clone ({MIWG} missing)")
    assert len(FILES) == 21


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_a_reference_model_deploys_or_is_refused_with_named_rules(session, now, path):
    before = session.scalar(select(func.count()).select_from(DefinitionVersion))
    try:
        deployed = deployments.deploy_diagram(
            session, path.read_bytes(), filename=path.name, forms={},
            lane_roles=deployments.load_lane_roles(SOP_LANE_ROLES), now=now,
        )
    except InvalidDiagramError as refused:
        assert refused.code == "invalid_diagram"
        problems = refused.details["problems"]
        assert problems
        for problem in problems:
            assert problem["rule"] in SHARED_RULES + SERVER_RULES, problem
            assert isinstance(problem["message"], str) and problem["message"].strip()
            assert isinstance(problem["params"], dict)
        assert session.scalar(select(func.count()).select_from(DefinitionVersion)) == before
    else:
        assert deployed.version.version >= 1
