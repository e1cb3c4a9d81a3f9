"use strict";
// bpmnlint plugin "alur": the checks the server also runs at deploy (engine/bpmn/lint.py),
// run while drawing. Each rule lives in rules/<name>.js (CommonJS, as bpmnlint expects);
// the browser bundle imports them statically (frontend/src/modeler/lint/config.js).

const RULE_NAMES = [
  "user-task-form", "user-task-lane", "lane-role", "no-script", "gateway-conditions",
  "expression-grammar", "sop-step-unique", "sop-step-present", "waktu-positive",
];

module.exports = {
  RULE_NAMES,
  rules: Object.fromEntries(RULE_NAMES.map((name) => [name, `./rules/${name}`])),
  configs: {
    recommended: {
      rules: Object.fromEntries(RULE_NAMES.map((name) => [`alur/${name}`, "error"])),
    },
  },
};
