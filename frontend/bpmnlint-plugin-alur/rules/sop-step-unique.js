"use strict";
// alur/sop-step-unique: a `sop_step` number names one step of one process (a called
// process counts on its own); the outcomes of one decision may share it, as the SOP's
// 17a and 17c do: each entered by exactly one flow, all from one exclusive gateway.

const { defineRule } = require("../lib/rule");
const { readProperties } = require("../lib/model");
const { pyStrip } = require("../lib/expressions");

function stepsOfProcesses(scan) {
  const byProcess = new Map();
  for (const { element, process } of scan.userTasks) {
    const step = pyStrip(readProperties(element).sop_step || "");
    if (!process || !step) continue;
    if (!byProcess.has(process)) byProcess.set(process, new Map());
    const steps = byProcess.get(process);
    if (!steps.has(step)) steps.set(step, []);
    steps.get(step).push(element);
  }
  return byProcess;
}

function isOutcomeOfOneDecision(scan, process, tasks) {
  const flows = scan.flows.filter((flow) => flow.process === process).map((flow) => flow.element);
  const sources = new Set();
  for (const task of tasks) {
    const incoming = flows.filter((flow) => flow.targetRef && flow.targetRef.id === task.id);
    if (incoming.length !== 1) return false;
    sources.add(incoming[0].sourceRef && incoming[0].sourceRef.id);
  }
  if (sources.size !== 1) return false;
  const [source] = sources;
  return scan.gateways.some(({ element, process: owner }) => owner === process
    && element.$type === "bpmn:ExclusiveGateway" && element.id === source);
}

module.exports = defineRule(function* sopStepUnique(scan) {
  for (const [process, steps] of stepsOfProcesses(scan)) {
    for (const [step, tasks] of steps) {
      if (tasks.length < 2 || isOutcomeOfOneDecision(scan, process, tasks)) continue;
      for (const task of tasks) {
        const others = tasks.filter((other) => other !== task);
        yield {
          element: task,
          key: "sop-step-unique/duplicate",
          params: {
            step,
            others: others.map((other) => other.id),
            other_names: others.map((other) => pyStrip(other.name || "") || other.id),
          },
        };
      }
    }
  }
});
