"use strict";
// alur/user-task-form: a user task names its form (`form_key`) and, when the page says
// which forms the draft has, that form exists (engine/bpmn/user_tasks.py).

const { defineRule } = require("../lib/rule");
const { readProperties } = require("../lib/model");
const { pyStrip } = require("../lib/expressions");

module.exports = defineRule(function* userTaskForm(scan, options) {
  for (const { element } of scan.userTasks) {
    const form = pyStrip(readProperties(element).form_key || "");
    if (!form) {
      yield { element, key: "user-task-form/missing", params: {} };
    } else if (options.forms && !options.forms.has(form)) {
      yield { element, key: "user-task-form/unknown", params: { form } };
    }
  }
});
