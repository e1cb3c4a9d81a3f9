/* The diagram editor page (webapp/templates/modeler/editor.html): a draft, editable and
 * autosaved, or a deployed version (and a deployed draft), read-only.
 *
 * Order of work: read the page's JSON blocks, fetch the diagram, build the modeler with a
 * moddle descriptor fitted to that diagram (moddle.js), draw it, then wire the toolbar,
 * the problems list, autosave and deploy. When the diagram is drawn, the time since
 * navigation start is kept on `document.documentElement.dataset.modelerReadyMs` (and since
 * this script began on `modelerDrawMs`) for the tests and the benchmark to read.
 *
 * CSP: no inline script or style attribute anywhere; the page's data come from
 * <script type="application/json"> blocks and every word from the page (gettext).
 */
import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "bpmn-js/dist/assets/bpmn-font/css/bpmn-codes.css";
import "@bpmn-io/properties-panel/assets/properties-panel.css";
import "bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css";
import "bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css";
import "./modeler.css";

import { onReady } from "../common/ready.js";
import { makeApi } from "./api.js";
import { readConfig, text } from "./config.js";
import { installStyleAttributeShim } from "./csp.js";
import { loadIconFont } from "./font.js";
import { startDraftEditing } from "./drafting.js";
import { createModeler, importDiagram } from "./editor.js";
import { lintConfig } from "./lint/config.js";
import { ProblemsPanel } from "./problems.js";
import { mainProcessId } from "./processes.js";
import { freezePanel } from "./readonly.js";
import { setupToolbar } from "./toolbar.js";
import { fitDiagram } from "./view.js";

const started = performance.now();
installStyleAttributeShim();
loadIconFont();

function alurEditorService(config, state) {
  const roleLabels = Object.fromEntries(config.roles.map((role) => [role.code, role.label]));
  return {
    readOnly: config.mode !== "draft",
    roles: config.roles,
    laneDefaults: config.laneDefaults,
    roleLabel: (code) => roleLabels[code] || code,
    t: (key, values) => text(config.words.ui, key, values),
    formKeys: () => Object.keys(state.forms).sort(),
    formEditorUrl: (key) => config.urls.formEditor.replace("{key}", encodeURIComponent(key)),
    // found again on each use: the owner may rename a process or change who calls whom
    mainProcessId: () => (state.modeler ? mainProcessId(state.modeler.getDefinitions()) : null),
    requestNewForm: (callback) => state.requestNewForm(callback),
  };
}

/** bpmn-js-bpmnlint's config: bpmnlint's recommended rules and ours (./lint, the same
 * checks the server runs at deploy), for this draft's forms and the known roles. */
function linterFor(config, forms) {
  return lintConfig({
    forms, laneRoles: config.laneDefaults,
    roles: config.roles.map((role) => ({ code: role.code, name: role.label })),
    locale: config.lang.startsWith("en") ? "en" : "id",
  });
}

function showFatal(root, message) {
  const box = root.querySelector("[data-modeler-error]");
  box.textContent = message;
  box.hidden = false;
  root.classList.add("is-broken");
}

async function start() {
  const root = document.querySelector("[data-modeler]");
  if (!root) return;
  const config = readConfig();
  const api = makeApi(config.csrfToken);
  const ui = config.words.ui;
  let content;
  try {
    content = await api.get(config.urls.content);
  } catch (error) {
    showFatal(root, `${text(ui, "loadFailed")} ${error.message || ""}`.trim());
    return;
  }
  const state = { forms: content.forms || {}, modeler: null, requestNewForm: () => {} };
  const readOnly = config.mode !== "draft";
  root.classList.toggle("alur-readonly", readOnly);
  const canvas = root.querySelector("[data-modeler-canvas]");
  const panel = root.querySelector("[data-modeler-panel]");
  const modeler = createModeler({
    xml: content.bpmn_xml, canvas, panel, readOnly,
    alurEditor: alurEditorService(config, state),
    dictionary: config.words.bpmn,
  });
  state.modeler = modeler;
  modeler.get("linting").setLinterConfig(linterFor(config, state.forms));
  const toolbar = setupToolbar({ root, modeler, config, readOnly });
  const problems = new ProblemsPanel({
    root: root.querySelector("[data-problems]"), modeler, words: ui,
    dictionary: config.words.bpmn, onChange: (errors) => toolbar.setLintErrors(errors),
  });
  try {
    await importDiagram(modeler, content.bpmn_xml);
  } catch (error) {
    showFatal(root, `${text(ui, "importFailed")} ${error.message || ""}`.trim());
    return;
  }
  fitDiagram(modeler);
  // since navigation start (what a person waits), and since this script began
  document.documentElement.dataset.modelerReadyMs = String(Math.round(performance.now()));
  document.documentElement.dataset.modelerDrawMs = String(Math.round(performance.now() - started));
  root.classList.add("is-ready");
  root.setAttribute("aria-busy", "false");
  if (readOnly) {
    freezePanel(panel);
    return;
  }
  startDraftEditing({ root, modeler, config, api, content, state, problems, toolbar,
    relint: (forms) => modeler.get("linting").setLinterConfig(linterFor(config, forms)) });
}

onReady(() => {
  start().catch((error) => {
    const root = document.querySelector("[data-modeler]");
    if (root) showFatal(root, error.message || String(error));
  });
});
