/**
 * What only an editable draft does: autosave with its status line, the conflict and
 * new-form dialogs, "Periksa di server" and Deploy, and saving before the page goes away
 * (hidden tab, closing, a link marked `data-save-first` such as "open the form editor").
 */
import { ApiError } from "./api.js";
import { Autosave } from "./autosave.js";
import { text } from "./config.js";
import { ConflictDialog, NewFormDialog } from "./dialogs.js";
import { freezePanel, makeReadOnly } from "./readonly.js";

const EMPTY_FORM = (key) => ({ type: "default", id: `Form_${key}`, schemaVersion: 16,
  components: [] });

function clock(iso, lang) {
  const moment = iso ? new Date(iso) : new Date();
  const when = Number.isNaN(moment.getTime()) ? new Date() : moment;
  return when.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
}

function statusLine(root, config) {
  const node = root.querySelector("[data-save-status]");
  const ui = config.words.ui;
  return (state, detail, revision) => {
    node.dataset.state = state;
    if (revision) node.dataset.revision = String(revision);
    const words = {
      unsaved: text(ui, "statusUnsaved"),
      saving: text(ui, "statusSaving"),
      saved: text(ui, "statusSaved", { time: clock(detail, config.lang) }),
      offline: text(ui, "statusOffline"),
      failed: text(ui, "statusFailed"),
      refused: `${text(ui, "statusRefused")} ${detail || ""}`.trim(),
      conflict: text(ui, "statusConflict"),
      deployed: text(ui, "statusDeployed"),
    };
    node.textContent = words[state] || "";
  };
}

function result(root) {
  return root.querySelector("[data-deploy-result]");
}

function showResult(root, className, ...children) {
  const box = result(root);
  box.className = `alur-result ${className}`;
  box.replaceChildren(...children);
  box.hidden = false;
  box.focus();
}

function link(href, label, testid) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = label;
  if (testid) a.dataset.testid = testid;
  return a;
}

function paragraph(...children) {
  const p = document.createElement("p");
  p.append(...children);
  return p;
}

function diffUrl(config, version) {
  if (!config.urls.diff || version < 2) return null;
  const query = new URLSearchParams({ definisi: config.definitionKey, dari: String(version - 1),
    ke: String(version) });
  return `${config.urls.diff}?${query}`;
}

function setupDeploy({ root, config, api, saver, problems, toolbar, lockDraft, onConflict }) {
  const ui = config.words.ui;
  const deployed = (answer) => {
    const version = answer.version;
    const parts = [paragraph(text(ui, answer.created ? "deployedNew" : "deployedSame",
      { n: version }))];
    const diff = diffUrl(config, version);
    if (diff) parts.push(paragraph(link(diff, text(ui, "deployedDiff", { from: version - 1, n: version }),
      "deploy-diff-link")));
    if (answer.url) parts.push(paragraph(link(answer.url, text(ui, "deployedOpen", { n: version }))));
    showResult(root, "alur-result-ok", ...parts);
    problems.setServerProblems([]);
    lockDraft();
  };
  const refused = (error) => {
    if (error instanceof ApiError && error.code === "invalid_diagram") {
      problems.setServerProblems(error.details.problems || []);
      showResult(root, "alur-result-error", paragraph(text(ui, "deployRefused")));
      return;
    }
    if (error instanceof ApiError && error.status === 409) {
      onConflict(error);
      return;
    }
    showResult(root, "alur-result-error",
      paragraph(`${text(ui, "deployFailed")} ${error.message || ""}`.trim()));
  };
  const busy = async (work) => {
    toolbar.setBusy(true);
    try {
      await work();
    } finally {
      toolbar.setBusy(false);
    }
  };
  toolbar.on("deploy", () => busy(async () => {
    if (!await saver.flush()) {
      showResult(root, "alur-result-error", paragraph(text(ui, "deployUnsaved")));
      return;
    }
    try {
      const answer = await saver.run((revision) => api.post(config.urls.deploy, { revision }));
      deployed(answer);
    } catch (error) {
      refused(error);
    }
  }));
  toolbar.on("check", () => busy(async () => {
    await saver.flush();
    try {
      const answer = await saver.run(() => api.post(config.urls.check, {}));
      const found = answer.problems || [];
      problems.setServerProblems(found);
      showResult(root, found.length ? "alur-result-error" : "alur-result-ok",
        paragraph(found.length ? text(ui, "checkFound", { n: found.length }) : text(ui, "checkClean")));
    } catch (error) {
      showResult(root, "alur-result-error",
        paragraph(`${text(ui, "checkFailed")} ${error.message || ""}`.trim()));
    }
  }));
}

function setupLeaving(root, saver) {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && saver.isAtRisk()) saver.save({ keepalive: true });
    if (document.visibilityState === "visible") saver.refresh();
  });
  window.addEventListener("pagehide", () => {
    if (saver.isAtRisk()) saver.save({ keepalive: true });
  });
  root.addEventListener("alur:save-now", () => saver.save());
  document.addEventListener("click", async (event) => {
    const anchor = event.target.closest && event.target.closest("a[data-save-first]");
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.ctrlKey
        || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (await saver.flush()) window.location.assign(anchor.href);  // else the status says why
  });
}

export function startDraftEditing({ root, modeler, config, api, content, state, problems,
  toolbar, relint }) {
  const status = statusLine(root, config);
  const ui = config.words.ui;
  let conflict = null;
  let saver = null;
  const lockDraft = () => {
    saver.stop();
    toolbar.lock();
    makeReadOnly(modeler);
    freezePanel(root.querySelector("[data-modeler-panel]"));
    root.classList.add("is-deployed");
  };
  const deployedElsewhere = (details) => {
    status("deployed");
    lockDraft();
    const parts = [paragraph(text(ui, "draftDeployed", { n: details.version || "?" }))];
    if (details.version_id && config.urls.version) {
      parts.push(paragraph(link(config.urls.version.replace("{id}", details.version_id),
        text(ui, "deployedOpen", { n: details.version || "?" }))));
    }
    showResult(root, "alur-result-error", ...parts);
  };
  const onConflict = (error) => {
    saver.stop();
    if (error.code === "draft_deployed") {
      deployedElsewhere(error.details || {});
    } else {
      status("conflict");
      conflict.show(error.details || {});
    }
  };
  saver = new Autosave({
    api, urls: config.urls, draft: content, status,
    getXml: async () => (await modeler.saveXML({ format: true })).xml,
    onConflict: (details) => onConflict(new ApiError(409, "draft_conflict", "", details)),
    onDeployed: (details) => deployedElsewhere(details || {}),
    onRefused: () => {},
  });
  conflict = new ConflictDialog({
    dialog: root.querySelector("[data-conflict-dialog]"), words: ui, lang: config.lang,
    onReload: () => window.location.reload(),
    onCopy: async () => {
      const { xml } = await modeler.saveXML({ format: true });
      const copy = await api.post(config.urls.copy, { bpmn_xml: xml, forms: saver.forms });
      window.location.assign(copy.url);
    },
  });
  saver.onForms((forms) => {
    state.forms = forms;
    relint(forms);
    modeler.get("eventBus").fire("propertiesPanel.providersChanged");
  });
  const newForm = new NewFormDialog({
    dialog: root.querySelector("[data-new-form-dialog]"), words: ui,
    existingKeys: () => Object.keys(state.forms),
    editorUrl: (key) => config.urls.formEditor.replace("{key}", encodeURIComponent(key)),
    create: (key) => saver.run(async (revision) => {
      const url = config.urls.form.replace("{key}", encodeURIComponent(key));
      const answer = await api.put(url, { revision, schema: EMPTY_FORM(key) });
      saver.advance(answer.revision);
      saver.setForms({ ...state.forms, [key]: EMPTY_FORM(key) });
    }),
  });
  state.requestNewForm = (callback) => newForm.ask(callback);
  modeler.get("eventBus").on("commandStack.changed", () => saver.touch());
  setupDeploy({ root, config, api, saver, problems, toolbar, lockDraft, onConflict });
  setupLeaving(root, saver);
  status("saved", content.updated_at, content.revision);
  return saver;
}
