/**
 * Read-only mode for a deployed version (or a draft that has been deployed): the same
 * editor, but nothing can change. Every command is refused (so the modeling rules forbid
 * every drag and the command stack never runs one), label editing never starts, editing
 * shortcuts do nothing, the palette and context pad are hidden (CSS, `.alur-readonly`),
 * and the properties panel's fields are read-only (its groups still open and close, so
 * everything can be read). Viewing, zooming, lint and token simulation keep working.
 */

const ALLOWED_ACTIONS = new Set(["stepZoom", "zoom", "find", "selectElements",
  "toggleTokenSimulation", "toggleTokenSimulationLog", "togglePauseTokenSimulation",
  "resetTokenSimulation", "toggleLinting"]);

function lock(commandStack, directEditing, editorActions) {
  if (commandStack.alurReadOnly) return;
  commandStack.alurReadOnly = true;
  commandStack.canExecute = () => false;
  commandStack.execute = () => undefined;
  directEditing.cancel();
  directEditing.activate = () => false;
  const trigger = editorActions.trigger.bind(editorActions);
  editorActions.trigger = (action, options) => (
    ALLOWED_ACTIONS.has(action) ? trigger(action, options) : undefined);
}

function ReadOnly(commandStack, directEditing, editorActions) {
  lock(commandStack, directEditing, editorActions);
}

ReadOnly.$inject = ["commandStack", "directEditing", "editorActions"];

/** The same, on a running editor (a draft just deployed, or deployed by someone else). */
export function makeReadOnly(modeler) {
  lock(modeler.get("commandStack"), modeler.get("directEditing"), modeler.get("editorActions"));
  modeler.get("contextPad").close();
  modeler.get("commandStack").clear();
}

export const readOnlyModule = {
  __init__: ["alurReadOnly"],
  alurReadOnly: ["type", ReadOnly],
};

/** Mark every field of the properties panel read-only as it is (re)rendered. */
export function freezePanel(container) {
  const freeze = () => {
    container.querySelectorAll("input, textarea, select").forEach((field) => {
      if (field.tagName === "SELECT" || field.type === "checkbox") field.disabled = true;
      else field.readOnly = true;
    });
  };
  new MutationObserver(freeze).observe(container, { childList: true, subtree: true });
  freeze();
}
