"use strict";
// alur/user-task-lane: in a process that has lanes, every user task sits in one (an
// embedded subprocess passes its lane down), and that lane has a role: the lane is who
// gets the task in their inbox.

const { defineRule } = require("../lib/rule");
const { laneOf } = require("../lib/model");
const { laneName, laneRole } = require("../lib/lanes");

module.exports = defineRule(function* userTaskLane(scan, options) {
  for (const task of scan.userTasks) {
    if (!task.process || !scan.processesWithLanes.has(task.process)) continue;
    const lane = laneOf(task, scan);
    if (!lane) {
      yield { element: task.element, key: "user-task-lane/no_lane", params: {} };
    } else if (laneRole(lane, options.laneRoles) === null) {
      yield { element: task.element, key: "user-task-lane/no_role", params: { lane: laneName(lane) } };
    }
  }
});
