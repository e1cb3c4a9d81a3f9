/**
 * Running a list of changes from ./wiring.js as ONE command: a single step is bpmn-js's
 * `element.updateModdleProperties`; several (a data input and its inputSet ref) go through
 * the properties panel's `properties-panel.multi-command-executor`, so one Ctrl+Z undoes
 * the whole change and autosave sees one `commandStack.changed`.
 */
import { useService } from "bpmn-js-properties-panel";

const UPDATE = "element.updateModdleProperties";
const MULTI = "properties-panel.multi-command-executor";

export function runChanges(commandStack, element, changes) {
  if (!changes || !changes.length) return;
  const contexts = changes.map(({ moddleElement, properties }) => (
    { element, moddleElement, properties }));
  if (contexts.length === 1) {
    commandStack.execute(UPDATE, contexts[0]);
  } else {
    commandStack.execute(MULTI, contexts.map((context) => ({ cmd: UPDATE, context })));
  }
}

/** `run(changes)` for the panel element (a pool stands for its process). */
export function useChanges(element) {
  const commandStack = useService("commandStack");
  return (changes) => runChanges(commandStack, element, changes);
}
