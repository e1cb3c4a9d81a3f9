"use strict";
// alur/sop-step-present: every user task says which row of the SOP it is (`sop_step`).

const { defineRule } = require("../lib/rule");
const { readProperties } = require("../lib/model");
const { pyStrip } = require("../lib/expressions");

module.exports = defineRule(function* sopStepPresent(scan) {
  for (const { element } of scan.userTasks) {
    if (!pyStrip(readProperties(element).sop_step || "")) {
      yield { element, key: "sop-step-present/missing", params: {} };
    }
  }
});
