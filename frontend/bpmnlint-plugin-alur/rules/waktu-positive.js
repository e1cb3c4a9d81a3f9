"use strict";
// alur/waktu-positive: `waktu_hari_kerja` is a whole number of working days, 1 or more,
// written in ASCII digits (engine.bpmn.diagram_rules.whole_days, then at least 1).

const { defineRule } = require("../lib/rule");
const { readProperties } = require("../lib/model");
const { pyStrip } = require("../lib/expressions");

function wholeDays(value) {
  const text = pyStrip(value || "");
  return /^[0-9]+$/.test(text) ? Number(text) : null;
}

module.exports = defineRule(function* waktuPositive(scan) {
  for (const { element } of scan.userTasks) {
    const value = readProperties(element).waktu_hari_kerja;
    const days = wholeDays(value);
    if (value === undefined) {
      yield { element, key: "waktu-positive/missing", params: {} };
    } else if (days === null || days < 1) {
      yield { element, key: "waktu-positive/invalid", params: { value } };
    }
  }
});
module.exports.wholeDays = wholeDays;
