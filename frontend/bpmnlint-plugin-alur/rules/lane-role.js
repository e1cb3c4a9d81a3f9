"use strict";
// alur/lane-role: every lane has a name and a known role, and lanes sharing a name share
// their role (a version maps lane names to roles).

const { defineRule } = require("../lib/rule");
const { laneName, laneRole } = require("../lib/lanes");

function* singleLaneProblems(scan, options) {
  for (const lane of scan.lanes) {
    const name = laneName(lane);
    const role = laneRole(lane, options.laneRoles);
    if (!name) {
      yield { element: lane, key: "lane-role/no_name", params: { lane: name, role } };
    } else if (role === null) {
      yield { element: lane, key: "lane-role/no_role", params: { lane: name, role } };
    } else if (role && options.roles && !options.roles.has(role)) {
      yield { element: lane, key: "lane-role/unknown_role", params: { lane: name, role } };
    }
  }
}

function* conflicts(scan, options) {
  const byName = new Map();
  for (const lane of scan.lanes) {
    const name = laneName(lane);
    if (name && laneRole(lane, options.laneRoles)) {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(lane);
    }
  }
  for (const [name, lanes] of byName) {
    const roles = [...new Set(lanes.map((lane) => laneRole(lane, options.laneRoles)))].sort();
    if (roles.length < 2) continue;
    const shown = roles.map((role) => options.roleNames.get(role) || role);
    for (const lane of lanes) {
      yield { element: lane, key: "lane-role/conflict", params: { lane: name, roles: shown } };
    }
  }
}

module.exports = defineRule(function* laneRoleRule(scan, options) {
  yield* singleLaneProblems(scan, options);
  yield* conflicts(scan, options);
});
