"use strict";
// The shape every alur/* rule shares: it acts once per lint, on the bpmn:Definitions root
// (the server also judges the whole document at once), and reports each problem on its
// element with a sentence in the configured language.

const { scanDiagram } = require("./model");
const { ruleMessage, LOCALES } = require("./messages");

/**
 * The rule config bpmnlint hands to a rule factory: the second item of
 * `"alur/<name>": ["error", {forms, laneRoles, roles, locale}]`. `roles` are codes, or
 * {code, name} objects whose names the messages then use. Missing context makes a rule
 * lenient (an unknown form key is not reported when `forms` is not given).
 */
function readOptions(config) {
  const options = config && typeof config === "object" ? config : {};
  return {
    forms: keySet(options.forms),
    laneRoles: options.laneRoles ? new Map(entriesOf(options.laneRoles)) : null,
    roles: options.roles ? new Set([...options.roles].map(roleCode)) : null,
    roleNames: new Map([...(options.roles || [])].filter((role) => role && role.name)
      .map((role) => [role.code, role.name])),
    locale: LOCALES.includes(options.locale) ? options.locale : "id",
  };
}

/** Form keys from a list, a Set, or a {key: schema} object. */
function keySet(forms) {
  if (!forms) return null;
  if (Array.isArray(forms) || forms instanceof Set) return new Set(forms);
  return new Set(Object.keys(forms));
}

function entriesOf(mapping) {
  return mapping instanceof Map ? [...mapping] : Object.entries(mapping);
}

function roleCode(role) {
  return role && typeof role === "object" ? role.code : role;
}

/**
 * A bpmnlint rule factory: `findProblems(scan, options)` yields
 * {element, key: "<rule>/<case>", params} and each becomes a report on `element`.
 */
function defineRule(findProblems) {
  return function ruleFactory(config) {
    const options = readOptions(config);
    function check(node, reporter) {
      if (node.$type !== "bpmn:Definitions") return;
      for (const found of findProblems(scanDiagram(node), options)) {
        const message = ruleMessage(found.key, found.element, found.params || {}, options.locale);
        reporter.report(found.element ? found.element.id : undefined, message, {
          case: found.key.split("/")[1], params: found.params || {},
        });
      }
    }
    return { check };
  };
}

module.exports = { defineRule, readOptions };
