// The modeler's lint set-up for bpmn-js-bpmnlint: bpmnlint's recommended rules plus our own
// alur/* rules (frontend/bpmnlint-plugin-alur), which are the checks the server runs again
// at deploy (engine/bpmn/lint.py). Rules are resolved from a static table (./rules.js) so
// esbuild bundles them; nothing is required by name at run time.
//
//   new Modeler({ linting: { active: true, bpmnlint: lintConfig(context) }, additionalModules: [lintModule] })
//   modeler.get("linting").setLinterConfig(lintConfig(newContext))   // e.g. a form was added
import StaticResolver from "bpmnlint/lib/resolver/static-resolver.js";
import recommended from "bpmnlint/config/recommended.js";

import { translateMessage, ruleLabel, RULE_LABELS } from "./labels.js";
import { ALUR_RULES, resolverCache } from "./rules.js";

export { ruleLabel, translateMessage, RULE_LABELS };

/** The names of our rules, e.g. "alur/user-task-form". */
export const ALUR_RULE_NAMES = Object.keys(ALUR_RULES).map((name) => `alur/${name}`);

// Changes to bpmnlint:recommended, each with its reason. Checked against the SOP
// (bpmn/sop-pengelolaan-kinerja.bpmn: no errors; one "fake-join" warning on Task_01, made on
// purpose by the SOP's "revise and come back" loop) and the shared lint catalog
// (tests/fixtures/lint/pass: no errors). "conditional-flows" overlaps alur/gateway-conditions
// and is kept: it marks the very flow that lacks a condition, ours marks the gateway.
const RECOMMENDED_CHANGES = {
  // A name is for readers: the engine and the server accept an unnamed start or end event,
  // so a missing one is shown but must not keep Deploy disabled.
  "label-required": "warn",
};

/**
 * What bpmn-js-bpmnlint wants as `linting.bpmnlint` (or `linting.setLinterConfig(...)`):
 * `{config, resolver, transformRule}`.
 *
 * @param {object} [context]
 * @param {string[]|object} [context.forms] the draft's form keys (or its {key: schema}
 *   object); without it a form_key naming a missing form is not reported.
 * @param {object} [context.laneRoles] lane name -> role code, the defaults of
 *   bpmn/lane-roles.toml for lanes without a `role` property of their own; without it a
 *   lane without its own role is not reported.
 * @param {Array<string|{code: string, name?: string}>} [context.roles] the known roles, as
 *   codes or {code, name} (the names are then used in messages); without it a lane's role
 *   is not checked against them.
 * @param {"id"|"en"} [context.locale] the language of the messages (default "id").
 */
export function lintConfig({ forms, laneRoles, roles, locale = "id" } = {}) {
  const context = {
    forms: forms ? formKeys(forms) : undefined,
    laneRoles: laneRoles ? { ...laneRoles } : undefined,
    roles: roles ? [...roles].map((role) => (role && typeof role === "object"
      ? { code: role.code, name: role.name } : role)) : undefined,
    locale: locale === "en" ? "en" : "id",
  };
  const rules = { ...recommended.rules, ...RECOMMENDED_CHANGES };
  for (const name of ALUR_RULE_NAMES) rules[name] = ["error", context];
  return {
    config: { rules },
    resolver: new StaticResolver(resolverCache()),
    transformRule: (rule, { pkg }) => (pkg === "bpmnlint" ? inLocale(rule, context.locale) : rule),
  };
}

function formKeys(forms) {
  if (Array.isArray(forms) || forms instanceof Set) return [...forms];
  return Object.keys(forms);
}

/** A bpmnlint rule whose English messages are reported in `locale`. */
function inLocale(rule, locale) {
  if (locale === "en") return rule;
  const reporters = new WeakMap();
  const translating = (reporter) => {
    if (!reporters.has(reporter)) {
      reporters.set(reporter, {
        report: (id, message, path) => reporter.report(id, translateMessage(message, locale), path),
      });
    }
    return reporters.get(reporter);
  };
  const wrap = (fn) => (node, reporter) => fn(node, translating(reporter));
  const { check } = rule;
  if (typeof check === "function") return { ...rule, check: wrap(check) };
  const wrapped = {};
  if (check && check.enter) wrapped.enter = wrap(check.enter);
  if (check && check.leave) wrapped.leave = wrap(check.leave);
  return { ...rule, check: wrapped };
}

/**
 * The issues of bpmn-js-bpmnlint's `linting.completed` event ({elementId: [report]}) as
 * one list for a problems panel: [{rule, element_id, message, category, label}], errors
 * first. `element_id` is the element the problem is about, also when the overlay had to be
 * put on the root (an element that is not drawn).
 */
export function listProblems(issues, locale = "id") {
  const order = { error: 0, warn: 1, info: 2 };
  const problems = [];
  for (const reports of Object.values(issues || {})) {
    for (const report of reports) {
      problems.push({
        rule: report.rule,
        element_id: report.actualElementId || report.id || null,
        message: report.message,
        category: report.category,
        label: ruleLabel(report.rule, locale),
      });
    }
  }
  return problems.sort((a, b) => (order[a.category] ?? 3) - (order[b.category] ?? 3));
}

/** True when any issue is an error: the modeler keeps Deploy disabled until none is. */
export function hasErrors(issues) {
  return Object.values(issues || {}).some((reports) => reports.some((report) => report.category === "error"));
}
