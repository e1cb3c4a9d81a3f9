"use strict";
// A lane's role as the server reads it (engine/bpmn/lanes.py): the lane's own
// `spiffworkflow:property name="role"`, else the default for its name (bpmn/lane-roles.toml,
// handed over as the `laneRoles` option), else none.

const { readProperties } = require("./model");
const { pyStrip } = require("./expressions");

function laneName(lane) {
  return pyStrip(lane.name || "");
}

function ownRole(lane) {
  return pyStrip(readProperties(lane).role || "") || null;
}

/** The effective role, or null when there is none; `undefined` when it cannot be known
 * (no own role and no defaults were given), so that rules stay quiet instead of guessing. */
function laneRole(lane, laneRoles) {
  const own = ownRole(lane);
  if (own) return own;
  if (!laneRoles) return undefined;
  return laneRoles.get(laneName(lane)) || null;
}

module.exports = { laneName, ownRole, laneRole };
