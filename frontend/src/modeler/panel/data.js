/**
 * The data-wiring groups beside "Properti SOP" (./provider.js adds them): multi-instance
 * collections (./loops.js), a process's inputs and outputs (./io.js) on its pool, and what
 * a call activity passes (./calls.js). Each comes right after our SOP group (or bpmn-js's
 * "General"), where the owner looks first; bpmn-js's own "Multi-instance" group (loop
 * cardinality, completion condition) stays further down where the library puts it.
 */
import { callDataGroup } from "./calls.js";
import { holderOf } from "./entries.js";
import { ioGroup } from "./io.js";
import { collectionGroup } from "./loops.js";

function indexAfter(groups, ids) {
  for (const id of ids) {
    const index = groups.findIndex((group) => group.id === id);
    if (index >= 0) return index + 1;
  }
  return groups.length;
}

/** Insert this element's data groups into the panel's `groups` (in place). */
export function addDataGroups(groups, element, alur, sopGroupId) {
  const collection = collectionGroup(element, alur);
  if (collection) {
    groups.splice(indexAfter(groups, [sopGroupId, "general"]), 0, collection);
  }
  const holder = element && element.businessObject ? holderOf(element) : null;
  const io = ioGroup(element, holder, alur);
  if (io) groups.splice(indexAfter(groups, [sopGroupId, "general"]), 0, io);
  const call = callDataGroup(element, alur);
  if (call) groups.splice(indexAfter(groups, [sopGroupId, "general"]), 0, call);
  return groups;
}
