"use strict";
// alur/expression-grammar: conditions, timer values, loop counts, completion conditions
// and message payloads parse under the engine's restricted grammar
// (engine/bpmn/expression_rules.py, mirrored in lib/expressions.js). Reported on the
// flow, event or task that owns the expression.

const { defineRule } = require("../lib/rule");
const { textOf } = require("../lib/model");
const { checkExpression, pyStrip } = require("../lib/expressions");
const { expressionReason } = require("../lib/messages");

module.exports = defineRule(function* expressionGrammar(scan, options) {
  for (const { element, field, owner } of scan.expressions) {
    const text = textOf(element) || "";
    for (const found of checkExpression(text)) {
      yield {
        element: owner,
        key: "expression-grammar/refused",
        params: {
          expression: pyStrip(text),
          reason: expressionReason(found, options.locale),
          field,
          code: found.code,
        },
      };
    }
  }
});
