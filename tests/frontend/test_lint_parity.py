"""The browser's lint (frontend/bpmnlint-plugin-alur, run by frontend/scripts/lint-file.mjs
with the modeler's config) and the server's deploy check (engine.services.deployments
.check_deploy) must agree, so the editor never shows a clean diagram the server refuses, nor
blocks one the server accepts:

- the shared catalog (tests/fixtures/lint): for each file the same (rule, element id) pairs
  of the nine shared rules on both sides, and those are the ones expected.json lists; the
  passing examples clean on both sides (the browser may warn, never err);
- the SOP clean on both sides;
- every other diagram the repository and the shared conformance set hold: the same pairs;
- one table of expressions, hand-picked and generated: accepted or refused alike by
  engine/bpmn/expression_rules.py and its JavaScript copy;
- and the plugin's own node unit tests (frontend/test/lint.test.mjs) pass.

Needs Node.js and the installed front-end packages (frontend/node_modules); skipped otherwise.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

from engine.bpmn.expression_rules import check_expression
from engine.bpmn.lint import SHARED_RULES
from engine.errors import DomainError
from engine.forms import load_forms
from engine.models.users import ROLE_CODES
from engine.services import deployments
from tests.support import ROOT, SOP_BPMN, SOP_LANE_ROLES, sop_forms

FRONTEND = ROOT / "frontend"
NODE = shutil.which("node")
NEEDED = ("bpmnlint", "bpmn-moddle", "bpmnlint-plugin-alur")
MISSING = [name for name in NEEDED if not (FRONTEND / "node_modules" / name).exists()]
pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node is not on PATH: install Node.js to compare "
                       "the browser's lint with the server's"),
    pytest.mark.skipif(bool(MISSING), reason="frontend/node_modules lacks "
                       f"{', '.join(MISSING)}: run `npm ci` in frontend/"),
]

CATALOG = ROOT / "tests" / "fixtures" / "lint"
EXPECTED: dict[str, list[list[str]]] = json.loads((CATALOG / "expected.json").read_text())
CATALOG_FORMS = load_forms(CATALOG / "forms")
LANES = deployments.load_lane_roles(SOP_LANE_ROLES)
# The browser reads a diagram with the modeler's spiffworkflow descriptor (typed extension
# elements); the rules must also read one without (generic elements): both are compared.
MODDLES = ("editor", "generic")
SHARED = ROOT.parent / "shared" / "conformance"
OTHER_DIAGRAMS = sorted(
    path
    for folder in (
        ROOT / "tests" / "fixtures" / "invalid", ROOT / "tests" / "fixtures" / "diagrams",
        ROOT / "tests" / "fixtures" / "bpmn", ROOT / "tests" / "fixtures" / "foreign",
        ROOT / "tests" / "fixtures" / "hostile", SHARED / "miwg-reference", SHARED / "hostile",
    )
    for path in folder.glob("*.bpmn")
)


def browser_context(forms: dict) -> dict:
    """lintConfig's context, as the editor page hands it over."""
    return {"forms": sorted(forms), "laneRoles": LANES, "roles": list(ROLE_CODES)}


def run_node(script: str, *args: str, stdin: str | None = None) -> str:
    finished = subprocess.run(
        [NODE, script, *args], cwd=FRONTEND, input=stdin, capture_output=True, text=True,
        timeout=300, check=False,
    )
    assert finished.returncode == 0, f"{script} failed:\n{finished.stderr}"
    return finished.stdout


def browser_lint(
    paths: list[Path], forms: dict, moddle: str = "editor"
) -> dict[Path, list[dict] | dict]:
    """Each file's browser problems ({"error": ...} when it could not be read), one run.
    `moddle` "editor" reads the files with the modeler's spiffworkflow descriptor (typed
    extension elements, as in the browser), "generic" without one."""
    context = json.dumps(browser_context(forms))
    output = json.loads(
        run_node("scripts/lint-file.mjs", f"--moddle={moddle}", *map(str, paths), context)
    )
    if len(paths) == 1:
        output = {str(paths[0]): output}
    return {path: output[str(path)] for path in paths}


def shared_pairs(problems: list[dict]) -> set[tuple[str, str | None]]:
    return {(p["rule"], p["element_id"]) for p in problems if p["rule"] in SHARED_RULES}


def browser_errors(problems: list[dict]) -> list[dict]:
    return [p for p in problems if p["category"] == "error"]


def server_check(session, path: Path, forms: dict) -> list[dict]:
    return deployments.check_deploy(
        session, path.read_bytes(), filename=path.name, forms=forms, lane_roles=LANES
    )


@pytest.fixture()
def lint_session(request, database_url):
    """check_deploy reads nothing from the database: compare once, on SQLite."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the lint does not depend on the database; compared on SQLite")
    return request.getfixturevalue("session")


@pytest.fixture(scope="module")
def catalog_in_browser():
    paths = [CATALOG / name for name in sorted(EXPECTED)]
    return {moddle: browser_lint(paths, CATALOG_FORMS, moddle) for moddle in MODDLES}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_catalog_file_yields_the_same_problems_on_both_sides(
    lint_session, catalog_in_browser, name
):
    expected = {tuple(pair) for pair in EXPECTED[name]}
    server = server_check(lint_session, CATALOG / name, CATALOG_FORMS)
    assert shared_pairs(server) == expected
    for moddle in MODDLES:
        browser = catalog_in_browser[moddle][CATALOG / name]
        assert shared_pairs(browser) == expected, moddle
        if name.startswith("pass/"):
            assert browser_errors(browser) == [], moddle
    if name.startswith("pass/"):
        assert server == []
    else:
        assert expected, "a failing example must fail"


def test_the_catalog_covers_every_shared_rule_in_the_browser(catalog_in_browser):
    for moddle in MODDLES:
        reported = {rule for problems in catalog_in_browser[moddle].values()
                    for rule, _ in shared_pairs(problems)}
        assert reported == set(SHARED_RULES), moddle


def test_the_sop_is_clean_on_both_sides(lint_session):
    forms = sop_forms()
    for moddle in MODDLES:
        [browser] = browser_lint([SOP_BPMN], forms, moddle).values()
        assert browser_errors(browser) == [], moddle
        assert shared_pairs(browser) == set(), moddle
    assert server_check(lint_session, SOP_BPMN, forms) == []


def test_every_other_diagram_yields_the_same_shared_problems(lint_session):
    """Refusals of the whole file (not XML, a DOCTYPE, not UTF-8) never reach either lint."""
    assert len(OTHER_DIAGRAMS) >= 10
    forms = {**sop_forms(), **CATALOG_FORMS}
    browser = {moddle: browser_lint(OTHER_DIAGRAMS, forms, moddle) for moddle in MODDLES}
    compared = 0
    for path in OTHER_DIAGRAMS:
        try:
            server = server_check(lint_session, path, forms)
        except DomainError:
            continue
        for moddle in MODDLES:
            found = browser[moddle][path]
            assert isinstance(found, list), f"{path.name} ({moddle}): {found}"
            assert shared_pairs(found) == shared_pairs(server), f"{path.name} ({moddle})"
        compared += 1
    assert compared >= 10


def test_the_plugins_own_unit_tests_pass():
    """frontend/test/lint.test.mjs (each rule on small diagrams, the expression reader, the
    bpmn-js-bpmnlint config), which `npm test` runs too."""
    finished = subprocess.run(
        [NODE, "--test", "--test-reporter=spec", "test/lint.test.mjs"],
        cwd=FRONTEND, capture_output=True, text=True, timeout=300, check=False,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, f"node --test failed:\n{output}"
    assert "fail 0" in output, output


# --- expressions ---------------------------------------------------------------------------

HAND_PICKED = [
    'keputusan == "setuju"', "len(daftar_opd) > 0", "a < b <= c", "x not in (1,)", "x is not None",
    "x[1:2]", "x[::]", "x[::2]", "x[1:2, 3]", "max(a, default=0)", "int(x, base=2)",
    "sorted(x, key=len)", "(len)(x)", "x.y", "x.__class__", "__import__('os')", "_x", "a__b",
    "lambda: 1", "[i for i in x]", "(x := 1)", "x := 1", "*x", "f(*x)", "{**x}", "x ** 2",
    "~x", "x @ y", "x | y", "b'x'", "1j", "...", "f'{x}'", "u'x'", "r'\\d'", "'a' 'b'",
    "'a' b'b'", "'\\x4'", "'\\u00e9'", "'\\U00110000'", "'\\N{DIGIT ONE}'", "01", "09.5", "0_9",
    "0x_1f", "1__0", "1if x else 2", "1abc", "x\ny", "x\n# c", "# c\nx", "# c\n  x",
    "\\\n y", "(x\n+ 1)", "x \\\n+ 1", "x # c", "a\u00a0== 1", "𝐱 == 1", "ｎｏｔ x",
    '=x = "a"', "${x}", "#{x}", "", "   ", "x" * 1000, "x" * 1001, "await x", "(yield)",
    "f(a=1, b)", "f(a=1, a=2)", "f(**a, *b)", "x <> y", "x if y", "class == 1", "match == 1",
    "(" * 200 + "1" + ")" * 200, "(" * 201 + "1" + ")" * 201,
    " + ".join(["x"] * 50), " + ".join(["x"] * 51), "[" + ", ".join(["1"] * 197) + "]",
    "[" + ", ".join(["1"] * 198) + "]",
]
TOKENS = [
    "x", "y", "_a", "len", "min", "sorted", "f", "1", "0", "1.5", "1e3", "0x1f", "01", "'a'",
    '"b"', "b'c'", "f'd'", "True", "None", "not", "and", "or", "in", "is", "if", "else", "for",
    "lambda", "+", "-", "*", "/", "//", "%", "**", "<", "==", "!=", "|", "~", ".", ",", ":",
    ":=", "=", "(", ")", "[", "]", "{", "}", "...", " ", " ", "\n", "\\\n", "#c\n", "default",
    "key",
]


def generated_expressions(count: int = 1500, seed: int = 20261126) -> list[str]:
    """Token soup (mostly refused) and small grammatical expressions (mostly accepted)."""
    rng = random.Random(seed)

    def grammatical(depth: int = 0) -> str:
        if depth > 3 or rng.random() < 0.3:
            return rng.choice(["x", "y", "1", "2.5", "'s'", "True", "None", "-1", "[]", "{}"])
        a, b = grammatical(depth + 1), grammatical(depth + 1)
        return rng.choice([
            f"{a} + {b}", f"{a} == {b}", f"{a} and {b}", f"not {a}", f"({a})", f"[{a}, {b}]",
            f"{a}[{b}]", f"{a}[{b}:]", f"len({a})", f"{a} if {b} else {a}", f"{{{a}: {b}}}",
            f"max({a}, default={b})", f"{a} in {b}", f"{a} is not {b}", f"{a},",
        ])

    soup = ["".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 8))) for _ in range(count)]
    return soup + [grammatical() for _ in range(count)]


def test_expressions_are_accepted_or_refused_alike():
    """One difference is known and left out of the table: Python checks a \\N{NAME} escape
    against Unicode's name table, which the browser does not carry, so the browser accepts
    any well-formed name (the server still refuses an unknown one at deploy)."""
    texts = HAND_PICKED + generated_expressions()
    verdicts = json.loads(run_node("scripts/check-expressions.mjs", stdin=json.dumps(texts)))
    with warnings.catch_warnings():  # Python warns about "1if", "\\d": accepted all the same
        warnings.simplefilter("ignore")
        server = [check_expression(text) for text in texts]
    differing = [
        (text, problems, codes)
        for text, problems, codes in zip(texts, server, verdicts, strict=True)
        if bool(problems) != bool(codes)
    ]
    assert differing == []
    assert sum(1 for codes in verdicts if not codes) > 500, "the table must accept plenty too"
