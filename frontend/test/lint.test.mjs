// The modeler's lint: the expression reader (bpmnlint-plugin-alur/lib/expressions.js), each
// alur/* rule on small diagrams, and the bpmn-js-bpmnlint config (src/modeler/lint).
// The same rules against the server, file by file, are in tests/frontend/test_lint_parity.py.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, test } from "node:test";

import { BpmnModdle } from "bpmn-moddle";
import { Linter } from "bpmnlint";
import recommended from "bpmnlint/config/recommended.js";

import {
  ALUR_RULE_NAMES, hasErrors, lintConfig, listProblems, ruleLabel, translateMessage,
} from "../src/modeler/lint/config.js";
import { BPMNLINT_RULES } from "../src/modeler/lint/rules.js";
import { spiffDescriptor } from "../src/modeler/moddle.js";

const require = createRequire(import.meta.url);
const { checkExpression, readExpression } = require("bpmnlint-plugin-alur/lib/expressions.js");
const plugin = require("bpmnlint-plugin-alur");

const ROOT = new URL("../../", import.meta.url);
const LANE_ROLES = {
  "Kepala UKPBJ": "kepala_ukpbj",
  "Tim Pengelolaan Kelembagaan UKPBJ": "tim_kelembagaan",
  "Penanggung Jawab Kinerja": "pj_kinerja",
};
const ROLES = ["kepala_ukpbj", "tim_kelembagaan", "pj_kinerja", "admin", "auditor", "pemilik_proses"];
const CONTEXT = { forms: ["contoh"], laneRoles: LANE_ROLES, roles: ROLES };

const codes = (text) => checkExpression(text).map((found) => found.code);

describe("expressions: what the server accepts", () => {
  const accepted = [
    'keputusan == "setuju"', "len(daftar_opd)", "x > 1 and y < 2 or not z", "a < b <= c",
    "x in [1, 2, 3]", "x not in (1,)", "x is None", "x is not None", "x[0]", "x['a']",
    "x[1:2]", "x[:]", "x[::]", "x[1:2:]", "x[-1]", "max(a, b, default=0)", "round(x, ndigits=2)",
    "sorted(x, reverse=True)", "a if b else c", "(len)(x)", "-1", "+x", "1_000", "0x1F", "1.5e3",
    "'a' 'b'", "u'x'", "r'\\d'", "'\\u00e9'", "{}", "()", "1,", "{1, 2}", "{1: 2}", "[1, 2,]",
    "x # a comment", "# first a comment\nx", "(x\n + 1)", "x == 1 \\\n + 2", "date(2024, 1, 31)",
    "'P3D'", "P3D", "𝐱 == 1", "1if x else 2", "09.5", `(${"(".repeat(199)}1${")".repeat(199)})`,
  ];
  for (const text of accepted) {
    test(JSON.stringify(text), () => assert.deepEqual(checkExpression(text), []));
  }
});

describe("expressions: what the server refuses, and why", () => {
  const refused = [
    ["", "empty"], ["   \n ", "empty"], ["x".repeat(1001), "too_long"],
    [Array(101).fill("x").join(" + "), "too_many_parts"],
    ["os.system('id')", "forbidden"], ["lambda: 1", "forbidden"], ["f'{x}'", "forbidden"],
    ["(x := 1)", "forbidden"], ["f(*x)", "forbidden"], ["[i for i in x]", "forbidden"],
    ["sum(i for i in x)", "forbidden"], ["x ** 2", "operator"], ["x | y", "operator"],
    ["~x", "operator"], ["x @ y", "operator"], ["x << 1", "operator"],
    ["print(x)", "call_not_allowed"], ["x[0](1)", "call_not_by_name"],
    ["int(x, base=2)", "keyword_not_allowed"], ["max(**k)", "kwargs_unpacking"],
    ["{**x}", "dict_unpacking"], ["x[::2]", "slice_step"], ["_x", "underscore_name"],
    ["a__b", "dunder_name"], ["b'x'", "literal_type"], ["1j", "literal_type"],
    ["...", "literal_type"], ["await x", "node_not_allowed"], ["(yield)", "node_not_allowed"],
    ['=keputusan = "tolak"', "foreign_language"], ["${x > 1}", "foreign_language"],
    ["'unterminated", "syntax"], ["(x", "syntax"], ["x)", "syntax"], ["x = 1", "syntax"],
    ["x := 1", "syntax"], ["x if y", "syntax"], ["01", "syntax"], ["1abc", "syntax"],
    ["'\\x4'", "syntax"], ["'a' b'b'", "syntax"], ["x\ny", "syntax"], ["# c\n  x", "syntax"],
    ["a\u00a0== 1", "syntax"], ["f(a=1, b)", "syntax"], ["x <> y", "syntax"],
    [`${"(".repeat(201)}1${")".repeat(201)}`, "syntax"], ["class == 1", "syntax"],
  ];
  for (const [text, code] of refused) {
    test(`${JSON.stringify(text.slice(0, 40))} -> ${code}`, () => {
      assert.ok(codes(text).includes(code), `got ${JSON.stringify(codes(text))}`);
    });
  }

  test("the tree is shaped like Python's ast", () => {
    const { tree } = readExpression("a or b or c");
    assert.equal(tree.body.type, "BoolOp");
    assert.equal(tree.body.values.length, 3);
    const compare = readExpression("a < b < c").tree.body;
    assert.deepEqual(compare.ops, ["Lt", "Lt"]);
    assert.equal(readExpression("1, 2").tree.body.type, "Tuple");
    assert.equal(readExpression("x[1:2, 3]").tree.body.slice.type, "Tuple");
    assert.deepEqual(readExpression("'a' 'b'").tree.body, { type: "Constant", kind: "str", value: "ab" });
  });

  test("200 parts pass, 201 do not (Python counts contexts and operators too)", () => {
    // "x + x + ... + x" with n names has 1 + 3n - 1 + ... nodes: find the boundary.
    const sizes = [];
    for (let n = 40; n < 80; n += 1) {
      if (codes(Array(n).fill("x").join(" + ")).length) sizes.push(n);
    }
    // Expression(1) + n Names (2 each) + (n-1) BinOps (2 each) = 4n - 1 <= 200 -> n <= 50.
    assert.equal(sizes[0], 51);
  });

  test("a syntax error names the column, and a foreign language is named", () => {
    const [found] = checkExpression("x == (1");
    assert.equal(found.code, "syntax");
    assert.equal(found.params.column, 6);
    assert.deepEqual(checkExpression("#{x}")[0].params, { language: "juel" });
  });
});

// --- rules on small diagrams ---------------------------------------------------------------

const SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
const GOOD = { sop_step: "1", waktu_hari_kerja: "2", form_key: "contoh" };

function props(values) {
  const items = Object.entries(values).filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<spiffworkflow:property name="${name}" value="${value}"/>`).join("");
  return `<bpmn:extensionElements><spiffworkflow:properties>${items}</spiffworkflow:properties></bpmn:extensionElements>`;
}

function userTask(id, values = GOOD, inner = "") {
  return `<bpmn:userTask id="${id}" name="${id}">${props(values)}${inner}</bpmn:userTask>`;
}

function lane(id, name, refs, values) {
  const nameAttr = name === null ? "" : ` name="${name}"`;
  const own = values ? props(values) : "";
  return `<bpmn:lane id="${id}"${nameAttr}>${own}${refs.map((ref) => `<bpmn:flowNodeRef>${ref}</bpmn:flowNodeRef>`).join("")}</bpmn:lane>`;
}

function doc(processes) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="${SPIFF}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="Defs">${processes}</bpmn:definitions>`;
}

function processOf(body, { id = "P", lanes = "" } = {}) {
  const laneSet = lanes ? `<bpmn:laneSet id="LS_${id}">${lanes}</bpmn:laneSet>` : "";
  return `<bpmn:process id="${id}" isExecutable="true">${laneSet}${body}</bpmn:process>`;
}

// A moddle descriptor shaped like the ones bpmn-js extensions register for the namespace:
// the rules must read typed extension elements as well as generic ones.
const SPIFF_DESCRIPTOR = {
  name: "SpiffWorkflow", prefix: "spiffworkflow", uri: SPIFF, xml: { tagAlias: "lowerCase" },
  types: [
    { name: "Properties", superClass: ["Element"], properties: [{ name: "properties", type: "Property", isMany: true }] },
    { name: "Property", superClass: ["Element"], properties: [{ name: "name", isAttr: true, type: "String" }, { name: "value", isAttr: true, type: "String" }] },
    { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
    { name: "MessagePayload", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
  ],
};

// How a diagram is read: no descriptor (generic elements), a minimal typed one, and the
// modeler's own (src/modeler/moddle.js, built per diagram).
const READERS = {
  generic: () => ({}),
  typed: () => ({ spiffworkflow: SPIFF_DESCRIPTOR }),
  editor: (xml) => ({ spiffworkflow: spiffDescriptor(xml) }),
};

async function lint(xml, context = CONTEXT, { reader = "generic" } = {}) {
  const moddle = new BpmnModdle(READERS[reader](xml));
  const { rootElement } = await moddle.fromXML(xml);
  const results = await new Linter(lintConfig(context)).lint(rootElement);
  return Object.entries(results).flatMap(([rule, reports]) => reports
    .filter(() => rule.startsWith("alur/"))
    .map((report) => ({ rule, id: report.id, message: report.message, case: report.case })));
}

const pairs = (problems) => problems.map((p) => `${p.rule} ${p.id}`).sort();

for (const reader of Object.keys(READERS)) {
  describe(`alur rules (${reader} extension elements)`, () => {
    const check = (xml, context) => lint(xml, context, { reader });

    test("a complete task in a lane with a role has no problem", async () => {
      const xml = doc(processOf(userTask("T1"), { lanes: lane("L1", "Kepala UKPBJ", ["T1"]) }));
      assert.deepEqual(await check(xml), []);
    });

    test("alur/user-task-form: missing, blank and unknown form keys", async () => {
      const xml = doc(processOf([
        userTask("T1", { ...GOOD, form_key: undefined }),
        userTask("T2", { ...GOOD, sop_step: "2", form_key: "  " }),
        userTask("T3", { ...GOOD, sop_step: "3", form_key: "lain" }),
        userTask("T4", { ...GOOD, sop_step: "4", form_key: " contoh " }),
      ].join("")));
      assert.deepEqual(pairs(await check(xml)),
        ["alur/user-task-form T1", "alur/user-task-form T2", "alur/user-task-form T3"]);
      const lenient = await check(xml, {});
      assert.deepEqual(pairs(lenient), ["alur/user-task-form T1", "alur/user-task-form T2"]);
    });

    test("alur/sop-step-present and alur/waktu-positive", async () => {
      const xml = doc(processOf([
        userTask("T1", { waktu_hari_kerja: "1", form_key: "contoh" }),
        userTask("T2", { ...GOOD, sop_step: " " }),
        userTask("T3", { sop_step: "3", form_key: "contoh" }),
        ...["0", "-1", "1.5", "dua", "", "²", "+1"].map((value, i) => userTask(`W${i}`, { ...GOOD, sop_step: `${10 + i}`, waktu_hari_kerja: value })),
        userTask("OK1", { ...GOOD, sop_step: "20", waktu_hari_kerja: " 07 " }),
      ].join("")));
      const found = await check(xml);
      assert.deepEqual(pairs(found), [
        "alur/sop-step-present T1", "alur/sop-step-present T2", "alur/waktu-positive T3",
        ...[0, 1, 2, 3, 4, 5, 6].map((i) => `alur/waktu-positive W${i}`),
      ].sort());
      assert.equal(found.find((p) => p.id === "T3").case, "missing");
      assert.match(found.find((p) => p.id === "W3").message, /bukan “dua”/);
    });

    test("alur/user-task-lane: outside a lane, in a lane without role, subprocess passes its lane", async () => {
      const sub = `<bpmn:subProcess id="Sub">${userTask("Inner", { ...GOOD, sop_step: "9" })}</bpmn:subProcess>`;
      const lanes = lane("L1", "Kepala UKPBJ", ["T1", "Sub"]) + lane("L2", "Tanpa Peran", ["T2"]);
      const xml = doc(processOf(userTask("T1") + userTask("T2", { ...GOOD, sop_step: "2" })
        + userTask("T3", { ...GOOD, sop_step: "3" }) + sub, { lanes }));
      assert.deepEqual(pairs(await check(xml)),
        ["alur/lane-role L2", "alur/user-task-lane T2", "alur/user-task-lane T3"]);
      // Without lanes in the process, no lane is needed.
      assert.deepEqual(await check(doc(processOf(userTask("T1")))), []);
      // Without the defaults, a lane without its own role cannot be judged: no report.
      assert.deepEqual(pairs(await check(xml, { forms: ["contoh"] })), ["alur/user-task-lane T3"]);
    });

    test("alur/lane-role: name, role, known role, one role per name", async () => {
      const lanes = [
        lane("NoName", null, []), lane("Blank", "  ", []), lane("NoRole", "Gudang", []),
        lane("Unknown", "Kepala UKPBJ", [], { role: "bendahara" }),
        lane("Own", "Gudang Baru", [], { role: "admin" }),
        lane("A1", "Tim Sama", [], { role: "admin" }), lane("A2", "Tim Sama", [], { role: "auditor" }),
      ].join("");
      const found = await check(doc(processOf("", { lanes })));
      assert.deepEqual(pairs(found), ["alur/lane-role A1", "alur/lane-role A2", "alur/lane-role Blank",
        "alur/lane-role NoName", "alur/lane-role NoRole", "alur/lane-role Unknown"]);
      assert.deepEqual(found.filter((p) => p.id === "A1").map((p) => p.case), ["conflict"]);
      const named = await check(doc(processOf("", { lanes })),
        { ...CONTEXT, roles: ROLES.map((code) => ({ code, name: code.toUpperCase() })) });
      assert.match(named.find((p) => p.id === "A1").message, /ADMIN, AUDITOR/);
      const lenient = await check(doc(processOf("", { lanes })), {});
      assert.deepEqual(pairs(lenient), ["alur/lane-role A1", "alur/lane-role A2",
        "alur/lane-role Blank", "alur/lane-role NoName"]);
    });

    test("alur/no-script: script tasks and pre/post scripts, on the element carrying them", async () => {
      const pre = `<bpmn:userTask id="T2" name="T2"><bpmn:extensionElements><spiffworkflow:properties>${
        Object.entries(GOOD).map(([k, v]) => `<spiffworkflow:property name="${k}" value="${v}"/>`).join("")
      }</spiffworkflow:properties><spiffworkflow:preScript>x = 1</spiffworkflow:preScript></bpmn:extensionElements></bpmn:userTask>`;
      const xml = doc(processOf(`<bpmn:scriptTask id="S1"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>${pre}`));
      const found = await check(xml);
      assert.deepEqual(pairs(found), ["alur/no-script S1", "alur/no-script T2"]);
      assert.match(found.find((p) => p.id === "T2").message, /preScript/);
    });

    test("alur/gateway-conditions: default or a condition on every other flow", async () => {
      const flow = (id, source, condition) => `<bpmn:sequenceFlow id="${id}" name="${id}" sourceRef="${source}" targetRef="End">${
        condition === undefined ? "" : `<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${condition}</bpmn:conditionExpression>`
      }</bpmn:sequenceFlow>`;
      const body = [
        '<bpmn:exclusiveGateway id="NoCond"/>', flow("a1", "NoCond"), flow("a2", "NoCond"),
        '<bpmn:exclusiveGateway id="Blank"/>', flow("b1", "Blank", "x == 1"), flow("b2", "Blank", "  "),
        '<bpmn:inclusiveGateway id="Incl"/>', flow("c1", "Incl", "x"), flow("c2", "Incl"),
        '<bpmn:exclusiveGateway id="WithDefault" default="d2"/>', flow("d1", "WithDefault", "x"), flow("d2", "WithDefault"),
        '<bpmn:exclusiveGateway id="AllCond"/>', flow("e1", "AllCond", "x"), flow("e2", "AllCond", "not x"),
        '<bpmn:exclusiveGateway id="One"/>', flow("f1", "One"),
        '<bpmn:exclusiveGateway id="DefaultNotEnough" default="g1"/>', flow("g1", "DefaultNotEnough"),
        flow("g2", "DefaultNotEnough"), flow("g3", "DefaultNotEnough", "x"),
        '<bpmn:endEvent id="End"/>',
      ].join("");
      const found = await check(doc(processOf(body)));
      const gateways = found.filter((p) => p.rule === "alur/gateway-conditions");
      assert.deepEqual(gateways.map((p) => p.id).sort(), ["Blank", "DefaultNotEnough", "Incl", "NoCond"]);
      assert.match(gateways.find((p) => p.id === "DefaultNotEnough").message, /tanpa kondisi: g2\)/);
      assert.deepEqual(pairs(found.filter((p) => p.rule === "alur/expression-grammar")),
        ["alur/expression-grammar b2"]);
    });

    test("alur/expression-grammar: reported on the flow, event or task that owns it", async () => {
      const body = [
        '<bpmn:startEvent id="Start"/>',
        '<bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Timer"><bpmn:conditionExpression>x.y</bpmn:conditionExpression></bpmn:sequenceFlow>',
        '<bpmn:intermediateCatchEvent id="Timer"><bpmn:timerEventDefinition id="TD"><bpmn:timeDuration>timedelta(days=1)</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
        '<bpmn:intermediateCatchEvent id="Timer2"><bpmn:timerEventDefinition id="TD2"><bpmn:timeCycle>"R3/P1D"</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
        userTask("Multi", GOOD, '<bpmn:multiInstanceLoopCharacteristics id="MI"><bpmn:loopCardinality>len(data.opd)</bpmn:loopCardinality><bpmn:completionCondition>__x</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>'),
        '<bpmn:intermediateCatchEvent id="Cond"><bpmn:conditionalEventDefinition id="CD"><bpmn:condition xsi:type="bpmn:tFormalExpression"></bpmn:condition></bpmn:conditionalEventDefinition></bpmn:intermediateCatchEvent>',
        `<bpmn:sendTask id="Send"><bpmn:extensionElements><spiffworkflow:messagePayload>{"a": x ** 2}</spiffworkflow:messagePayload></bpmn:extensionElements></bpmn:sendTask>`,
      ].join("");
      const found = await check(doc(processOf(body)));
      assert.deepEqual([...new Set(pairs(found))], ["alur/expression-grammar Cond", "alur/expression-grammar F1",
        "alur/expression-grammar Multi", "alur/expression-grammar Send", "alur/expression-grammar Timer"]);
      assert.match(found.find((p) => p.id === "F1").message, /akses atribut/);
    });

    test("alur/sop-step-unique: per process, except the outcomes of one decision", async () => {
      const into = (id, source, target) => `<bpmn:sequenceFlow id="${id}" sourceRef="${source}" targetRef="${target}"><bpmn:conditionExpression>x</bpmn:conditionExpression></bpmn:sequenceFlow>`;
      const main = processOf([
        userTask("A", { ...GOOD, sop_step: "1" }), userTask("B", { ...GOOD, sop_step: " 1" }),
        '<bpmn:exclusiveGateway id="G"/>', userTask("C", { ...GOOD, sop_step: "17" }),
        userTask("D", { ...GOOD, sop_step: "17" }), into("g1", "G", "C"), into("g2", "G", "D"),
        '<bpmn:parallelGateway id="PG"/>', userTask("E", { ...GOOD, sop_step: "5" }),
        userTask("F", { ...GOOD, sop_step: "5" }), into("p1", "PG", "E"), into("p2", "PG", "F"),
      ].join(""), { id: "Main" });
      const called = processOf(userTask("X", { ...GOOD, sop_step: "1" }), { id: "Called" });
      const found = await check(doc(main + called));
      assert.deepEqual(pairs(found), ["alur/sop-step-unique A", "alur/sop-step-unique B",
        "alur/sop-step-unique E", "alur/sop-step-unique F"]);
      assert.match(found.find((p) => p.id === "A").message, /nomor langkah 1, sama dengan B/);
    });

    test("messages follow the configured language", async () => {
      const xml = doc(processOf(userTask("T1", { ...GOOD, sop_step: "" })));
      const [english] = await check(xml, { ...CONTEXT, locale: "en" });
      assert.match(english.message, /has no SOP step number/);
      const [indonesian] = await check(xml);
      assert.match(indonesian.message, /belum memiliki nomor langkah SOP/);
    });
  });
}

// --- the config for bpmn-js-bpmnlint -------------------------------------------------------

describe("lintConfig", () => {
  test("has every recommended rule bundled, and our rules as errors with the context", () => {
    const { config, resolver, transformRule } = lintConfig(CONTEXT);
    assert.equal(typeof transformRule, "function");
    for (const name of Object.keys(recommended.rules)) {
      assert.ok(BPMNLINT_RULES[name], `${name} is not in src/modeler/lint/rules.js`);
      assert.equal(typeof resolver.resolveRule("bpmnlint", name), "function");
      assert.ok(name in config.rules);
    }
    assert.deepEqual(ALUR_RULE_NAMES, plugin.RULE_NAMES.map((name) => `alur/${name}`));
    for (const name of ALUR_RULE_NAMES) {
      const [category, context] = config.rules[name];
      assert.equal(category, "error");
      assert.deepEqual(context.forms, ["contoh"]);
      assert.equal(typeof resolver.resolveRule("bpmnlint-plugin-alur", name.slice(5)), "function");
    }
    assert.equal(config.rules["label-required"], "warn");
    assert.deepEqual(lintConfig({ forms: { contoh: {}, lain: {} } }).config.rules["alur/no-script"][1].forms,
      ["contoh", "lain"]);
  });

  test("bpmnlint's messages come out in Indonesian, or English when asked", async () => {
    const xml = doc(processOf('<bpmn:task id="Lonely" name="Sendiri"/>'));
    const { rootElement } = await new BpmnModdle().fromXML(xml);
    const indonesian = await new Linter(lintConfig(CONTEXT)).lint(rootElement);
    assert.equal(indonesian["no-disconnected"][0].message, "Elemen tidak tersambung ke alur");
    assert.equal(indonesian["start-event-required"][0].message, "Proses belum memiliki peristiwa mulai");
    assert.ok(indonesian["no-disconnected"][0].meta.documentation.url);
    const english = await new Linter(lintConfig({ ...CONTEXT, locale: "en" })).lint(rootElement);
    assert.equal(english["no-disconnected"][0].message, "Element is not connected");
  });

  test("every bpmnlint message of the recommended rules has an Indonesian sentence", () => {
    const source = Object.keys(recommended.rules)
      .map((name) => readFileSync(new URL(`../node_modules/bpmnlint/rules/${name}.js`, import.meta.url), "utf8"))
      .join("\n");
    const literals = [...source.matchAll(/report\([^,]+, '([^']+)'/g)].map((found) => found[1]);
    assert.ok(literals.length > 15);
    for (const message of literals) {
      assert.notEqual(translateMessage(message), message, message);
    }
    assert.equal(translateMessage("Element type <bpmn:ComplexGateway> is discouraged"),
      "Jenis elemen bpmn:ComplexGateway sebaiknya tidak dipakai");
  });

  test("labels, listProblems and hasErrors serve the problems list", () => {
    assert.equal(ruleLabel("alur/no-script"), "Tanpa skrip");
    assert.equal(ruleLabel("alur/no-script", "en"), "No scripts");
    for (const name of [...ALUR_RULE_NAMES, ...Object.keys(recommended.rules)]) {
      assert.notEqual(ruleLabel(name), name, name);
    }
    const issues = {
      Task_1: [{ id: "Task_1", rule: "alur/no-script", message: "m1", category: "error" }],
      Proc: [{ id: "Proc", actualElementId: "Hidden", rule: "global", message: "m2", category: "warn" },
        { id: "Proc", rule: "label-required", message: "m3", category: "warn" }],
    };
    const listed = listProblems(issues);
    assert.deepEqual(listed[0], { rule: "alur/no-script", element_id: "Task_1", message: "m1",
      category: "error", label: "Tanpa skrip" });
    assert.equal(listed[1].element_id, "Hidden");
    assert.equal(hasErrors(issues), true);
    assert.equal(hasErrors({ Proc: issues.Proc }), false);
    assert.equal(hasErrors({}), false);
  });
});

describe("the SOP", () => {
  test("has no error under the full context, nor without one", async () => {
    const forms = readdirSync(new URL("forms/", ROOT)).filter((name) => name.endsWith(".form.json"))
      .map((name) => name.replace(/\.form\.json$/, ""));
    const xml = readFileSync(new URL("bpmn/sop-pengelolaan-kinerja.bpmn", ROOT), "utf8");
    for (const context of [{ ...CONTEXT, forms }, {}]) {
      const { rootElement } = await new BpmnModdle().fromXML(xml);
      const results = await new Linter(lintConfig(context)).lint(rootElement);
      const errors = Object.values(results).flat().filter((report) => report.category === "error");
      assert.deepEqual(errors, []);
    }
  });
});
