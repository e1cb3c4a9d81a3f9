/**
 * The toolbar above the canvas: undo/redo (enabled as the command stack allows), zoom in,
 * out and to fit, token simulation on/off (aria-pressed; the library's own toggle is hidden
 * by CSS since it is not a button), SVG and PNG export, the properties panel toggle of
 * narrow screens, and the server actions (check, deploy) whose handlers drafting.js sets.
 *
 * Deploy is enabled only in a draft, when the lint reports no error and nothing is running.
 */
import { text } from "./config.js";
import { exportPng, exportSvg } from "./exporting.js";
import { fitDiagram } from "./view.js";

function button(root, action) {
  return root.querySelector(`[data-action="${action}"]`);
}

function bindShortcuts(root, modeler) {
  // Ctrl/Cmd+S anywhere on the page saves now instead of saving the HTML page
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault();
      root.dispatchEvent(new CustomEvent("alur:save-now"));
    }
  });
  // diagram-js listens on the canvas SVG (focusable); name it for screen readers
  const svg = modeler.get("canvas").getContainer().querySelector(":scope > svg");
  svg.setAttribute("role", "application");
  svg.setAttribute("aria-label", root.dataset.canvasLabel || "");
}

function exporter(root, modeler, config, format) {
  const status = root.querySelector("[data-export-status]");
  return async () => {
    status.textContent = "";
    try {
      await (format === "svg" ? exportSvg : exportPng)(modeler, config.basename);
      status.textContent = text(config.words.ui, "exported", { format: format.toUpperCase() });
    } catch (error) {
      status.textContent = `${text(config.words.ui, "exportFailed")} ${error.message}`;
    }
  };
}

function setupSimulation(root, modeler) {
  const toggle = button(root, "simulation");
  const eventBus = modeler.get("eventBus");
  toggle.addEventListener("click", () => modeler.get("toggleMode").toggleMode());
  eventBus.on("tokenSimulation.toggleMode", ({ active }) => {
    toggle.setAttribute("aria-pressed", active ? "true" : "false");
    root.classList.toggle("is-simulating", active);
  });
}

function setupPanelToggle(root) {
  const toggle = button(root, "panel");
  const side = root.querySelector("[data-modeler-side]");
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    side.classList.toggle("is-open", open);
    if (open) side.scrollIntoView({ block: "nearest" });
  });
}

export function setupToolbar({ root, modeler, config, readOnly }) {
  const commandStack = modeler.get("commandStack");
  const zoomScroll = modeler.get("zoomScroll");
  const undo = button(root, "undo");
  const redo = button(root, "redo");
  const deploy = button(root, "deploy");
  const check = button(root, "check");
  const reason = root.querySelector("[data-deploy-reason]");
  const state = { lintErrors: 0, busy: false, handlers: {} };

  const refresh = () => {
    if (undo) undo.disabled = readOnly || !commandStack.canUndo();
    if (redo) redo.disabled = readOnly || !commandStack.canRedo();
    if (deploy) {
      deploy.disabled = readOnly || state.busy || state.lintErrors > 0;
      reason.textContent = !readOnly && state.lintErrors > 0
        ? text(config.words.ui, "deployBlocked", { n: state.lintErrors }) : "";
    }
    if (check) check.disabled = readOnly || state.busy;
  };
  modeler.get("eventBus").on("commandStack.changed", refresh);
  undo?.addEventListener("click", () => commandStack.undo());
  redo?.addEventListener("click", () => commandStack.redo());
  button(root, "fit").addEventListener("click", () => fitDiagram(modeler));
  button(root, "zoom-in").addEventListener("click", () => zoomScroll.stepZoom(1));
  button(root, "zoom-out").addEventListener("click", () => zoomScroll.stepZoom(-1));
  button(root, "export-svg").addEventListener("click", exporter(root, modeler, config, "svg"));
  button(root, "export-png").addEventListener("click", exporter(root, modeler, config, "png"));
  deploy?.addEventListener("click", () => state.handlers.deploy && state.handlers.deploy());
  check?.addEventListener("click", () => state.handlers.check && state.handlers.check());
  setupSimulation(root, modeler);
  setupPanelToggle(root);
  bindShortcuts(root, modeler);
  refresh();

  return {
    setLintErrors(count) { state.lintErrors = count; refresh(); },
    setBusy(busy) { state.busy = busy; refresh(); },
    on(action, handler) { state.handlers[action] = handler; },
    lock() { readOnly = true; refresh(); },
  };
}
