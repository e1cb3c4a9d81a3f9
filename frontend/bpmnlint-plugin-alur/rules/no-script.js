"use strict";
// alur/no-script: no script task, and no spiffworkflow preScript/postScript/script in any
// element's extensions (SpiffWorkflow would run them around the task).

const { defineRule } = require("../lib/rule");

module.exports = defineRule(function* noScript(scan) {
  for (const element of scan.scriptTasks) {
    yield { element, key: "no-script/script_task", params: {} };
  }
  for (const { element, names } of scan.scriptOwners) {
    yield { element, key: "no-script/extension", params: { script: names } };
  }
});
