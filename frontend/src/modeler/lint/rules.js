// Every lint rule the modeler runs, imported statically so esbuild packs them into the
// bundle (bpmnlint would otherwise require() them by name at run time, which a browser
// cannot). Keys are what bpmnlint's StaticResolver looks up: "rule:<package>/<rule>".
// A test (frontend/test/lint.test.mjs) checks this table covers bpmnlint:recommended.
import adHocSubProcess from "bpmnlint/rules/ad-hoc-sub-process.js";
import conditionalFlows from "bpmnlint/rules/conditional-flows.js";
import endEventRequired from "bpmnlint/rules/end-event-required.js";
import eventBasedGateway from "bpmnlint/rules/event-based-gateway.js";
import eventSubProcessTypedStartEvent from "bpmnlint/rules/event-sub-process-typed-start-event.js";
import fakeJoin from "bpmnlint/rules/fake-join.js";
import global from "bpmnlint/rules/global.js";
import labelRequired from "bpmnlint/rules/label-required.js";
import linkEvent from "bpmnlint/rules/link-event.js";
import noBpmndi from "bpmnlint/rules/no-bpmndi.js";
import noComplexGateway from "bpmnlint/rules/no-complex-gateway.js";
import noDisconnected from "bpmnlint/rules/no-disconnected.js";
import noDuplicateSequenceFlows from "bpmnlint/rules/no-duplicate-sequence-flows.js";
import noGatewayJoinFork from "bpmnlint/rules/no-gateway-join-fork.js";
import noImplicitSplit from "bpmnlint/rules/no-implicit-split.js";
import noImplicitEnd from "bpmnlint/rules/no-implicit-end.js";
import noImplicitStart from "bpmnlint/rules/no-implicit-start.js";
import noInclusiveGateway from "bpmnlint/rules/no-inclusive-gateway.js";
import noOverlappingElements from "bpmnlint/rules/no-overlapping-elements.js";
import singleBlankStartEvent from "bpmnlint/rules/single-blank-start-event.js";
import singleEventDefinition from "bpmnlint/rules/single-event-definition.js";
import startEventRequired from "bpmnlint/rules/start-event-required.js";
import subProcessBlankStartEvent from "bpmnlint/rules/sub-process-blank-start-event.js";
import superfluousGateway from "bpmnlint/rules/superfluous-gateway.js";
import superfluousLabel from "bpmnlint/rules/superfluous-label.js";
import superfluousTermination from "bpmnlint/rules/superfluous-termination.js";

import expressionGrammar from "bpmnlint-plugin-alur/rules/expression-grammar.js";
import gatewayConditions from "bpmnlint-plugin-alur/rules/gateway-conditions.js";
import laneRole from "bpmnlint-plugin-alur/rules/lane-role.js";
import noScript from "bpmnlint-plugin-alur/rules/no-script.js";
import sopStepPresent from "bpmnlint-plugin-alur/rules/sop-step-present.js";
import sopStepUnique from "bpmnlint-plugin-alur/rules/sop-step-unique.js";
import userTaskForm from "bpmnlint-plugin-alur/rules/user-task-form.js";
import userTaskLane from "bpmnlint-plugin-alur/rules/user-task-lane.js";
import waktuPositive from "bpmnlint-plugin-alur/rules/waktu-positive.js";

/** bpmnlint's own rules by name. */
export const BPMNLINT_RULES = {
  "ad-hoc-sub-process": adHocSubProcess,
  "conditional-flows": conditionalFlows,
  "end-event-required": endEventRequired,
  "event-based-gateway": eventBasedGateway,
  "event-sub-process-typed-start-event": eventSubProcessTypedStartEvent,
  "fake-join": fakeJoin,
  global,
  "label-required": labelRequired,
  "link-event": linkEvent,
  "no-bpmndi": noBpmndi,
  "no-complex-gateway": noComplexGateway,
  "no-disconnected": noDisconnected,
  "no-duplicate-sequence-flows": noDuplicateSequenceFlows,
  "no-gateway-join-fork": noGatewayJoinFork,
  "no-implicit-split": noImplicitSplit,
  "no-implicit-end": noImplicitEnd,
  "no-implicit-start": noImplicitStart,
  "no-inclusive-gateway": noInclusiveGateway,
  "no-overlapping-elements": noOverlappingElements,
  "single-blank-start-event": singleBlankStartEvent,
  "single-event-definition": singleEventDefinition,
  "start-event-required": startEventRequired,
  "sub-process-blank-start-event": subProcessBlankStartEvent,
  "superfluous-gateway": superfluousGateway,
  "superfluous-label": superfluousLabel,
  "superfluous-termination": superfluousTermination,
};

/** Our rules (bpmnlint-plugin-alur) by name, without the "alur/" prefix. */
export const ALUR_RULES = {
  "user-task-form": userTaskForm,
  "user-task-lane": userTaskLane,
  "lane-role": laneRole,
  "no-script": noScript,
  "gateway-conditions": gatewayConditions,
  "expression-grammar": expressionGrammar,
  "sop-step-unique": sopStepUnique,
  "sop-step-present": sopStepPresent,
  "waktu-positive": waktuPositive,
};

/** The StaticResolver cache: "rule:<package>/<rule>" -> rule factory. */
export function resolverCache() {
  const cache = {};
  for (const [name, rule] of Object.entries(BPMNLINT_RULES)) cache[`rule:bpmnlint/${name}`] = rule;
  for (const [name, rule] of Object.entries(ALUR_RULES)) {
    cache[`rule:bpmnlint-plugin-alur/${name}`] = rule;
  }
  return cache;
}
