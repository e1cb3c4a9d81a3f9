"use strict";
// alur/gateway-conditions: an exclusive or inclusive gateway with two or more outgoing
// flows has no flow that is neither its default nor conditioned (such a flow would be
// taken whatever the data says).

const { defineRule } = require("../lib/rule");
const { textOf } = require("../lib/model");
const { pyStrip } = require("../lib/expressions");

function hasCondition(flow) {
  const condition = flow.conditionExpression;
  return Boolean(condition && pyStrip(textOf(condition) || ""));
}

function outgoingFlows(scan) {
  const outgoing = new Map();
  for (const { element } of scan.flows) {
    const source = element.sourceRef && element.sourceRef.id;
    if (!outgoing.has(source)) outgoing.set(source, []);
    outgoing.get(source).push(element);
  }
  return outgoing;
}

module.exports = defineRule(function* gatewayConditions(scan) {
  const outgoing = outgoingFlows(scan);
  for (const { element } of scan.gateways) {
    const flows = outgoing.get(element.id) || [];
    const defaultId = element.default && element.default.id;
    const bare = flows.filter((flow) => flow.id !== defaultId && !hasCondition(flow));
    if (flows.length >= 2 && bare.length) {
      yield {
        element,
        key: "gateway-conditions/bare_flows",
        params: {
          flows: bare.map((flow) => flow.id),
          flow_names: bare.map((flow) => pyStrip(flow.name || "") || flow.id),
        },
      };
    }
  }
});
