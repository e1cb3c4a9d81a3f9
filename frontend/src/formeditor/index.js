/* The form editor page (webapp/templates/modeler/form_editor.html): one form of a draft in
 * @bpmn-io/form-js-editor, with a live preview in @bpmn-io/form-js-viewer (both 1.23.0:
 * the editor is built on that exact viewer, and a mix breaks its styling).
 *
 * - Loads the draft with GET /pemodel/draf/<id>/isi and saves the form with PUT
 *   /pemodel/draf/<id>/formulir/<key> {revision, schema}: a few seconds after each change
 *   and at once on "Simpan" (or Ctrl+S), never overwriting someone else's save (409).
 * - The palette offers only the component types the server can enforce (palette.js); a
 *   schema the server still refuses (400 invalid_form, e.g. a condition outside the
 *   supported FEEL subset) is shown with the server's words and the component selected.
 * - A form the draft does not have yet can be created empty.
 * Everything the page says comes from the server (the JSON block); form-js's own editor
 * UI (palette, properties panel) is English and is not forked. No inline scripts (CSP);
 * form-js styles through the CSSOM, which CSP allows.
 */
import "./cspstyles.js";  // first: CodeMirror's styles as a constructed stylesheet (CSP)

import { FormEditor } from "@bpmn-io/form-js-editor";

import { onReady } from "../common/ready.js";
import { makeRequester } from "./api.js";
import { restrictTypesModule } from "./palette.js";
import { Preview } from "./preview.js";
import { findField, namedComponent, selectField } from "./problems.js";
import { Saver } from "./saver.js";
import { StatusView } from "./status.js";

import "@bpmn-io/form-js-viewer/dist/assets/form-js.css";
import "@bpmn-io/form-js-editor/dist/assets/form-js-editor.css";
import "./formeditor.css";

function emptySchema(key) {
  return { type: "default", id: `Form_${key}`, components: [] };
}

function readConfig() {
  const node = document.getElementById("form-editor-config");
  return node ? JSON.parse(node.textContent) : null;
}

class FormEditorPage {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.texts = config.texts;
    this.request = makeRequester(config.csrfToken);
    this.view = new StatusView(root, config.texts);
    this.editor = null;
    this.saver = null;
    this.content = null;
  }

  async start() {
    this.view.loading(true);
    try {
      this.content = await this.request(this.config.urls.load);
    } catch (error) {
      this.view.loading(false);
      this.view.showProblem(this.texts.loadFailed, error.text || error.message);
      return;
    }
    this.view.loading(false);
    const schema = (this.content.forms || {})[this.config.key];
    if (!schema) {
      this.offerCreate();
    } else if (this.config.readOnly) {
      this.makePreview().show(JSON.stringify(schema));
    } else {
      await this.openEditor(schema);
    }
  }

  offerCreate() {
    const button = this.root.querySelector("[data-fe-create]");
    if (!button) { return; }
    button.disabled = false;
    button.addEventListener("click", () => this.create(button));
  }

  async create(button) {
    button.disabled = true;
    try {
      await this.request(this.config.urls.save, {
        method: "PUT",
        body: { revision: this.content.revision, schema: emptySchema(this.config.key) },
      });
      window.location.reload();
    } catch (error) {
      button.disabled = false;
      this.view.showProblem(this.texts.createFailed, error.text || error.message);
    }
  }

  makePreview() {
    return new Preview(this.root.querySelector("[data-fe-preview]"), {
      sample: this.config.sample,
      ariaLabel: this.texts.previewLabel,
      onProblem: (error) => this.view.previewProblem(error && error.message),
    });
  }

  async openEditor(schema) {
    this.editor = new FormEditor({
      container: this.root.querySelector("[data-fe-editor]"),
      additionalModules: [restrictTypesModule(this.config.supportedTypes)],
      properties: { ariaLabel: this.texts.editorLabel },
    });
    try {
      await this.editor.importSchema(schema);
    } catch (error) {
      this.view.showProblem(this.texts.importFailed, error.message);
      return;
    }
    const preview = this.makePreview();
    const snapshot = () => JSON.stringify(this.editor.saveSchema());
    this.saver = new Saver({
      request: this.request,
      url: this.config.urls.save,
      revision: this.content.revision,
      snapshot,
      onState: (state, info) => this.onSaveState(state, info),
    });
    preview.show(snapshot());
    this.editor.on("changed", () => {
      preview.update(snapshot());
      this.saver.changed();
    });
    this.bindControls();
    this.view.saved(null);
  }

  bindControls() {
    const save = this.root.querySelector("[data-fe-save]");
    save.disabled = false;
    save.addEventListener("click", () => this.saver.saveNow());
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
        event.preventDefault();
        this.saver.saveNow();
      }
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && this.saver.isDirty()) { this.saver.saveNow(); }
    });
    window.addEventListener("beforeunload", (event) => {
      if (this.saver.isDirty()) {
        event.preventDefault();
        event.returnValue = this.texts.leaveUnsaved;
      }
    });
    document.querySelectorAll("a[data-fe-leave]").forEach((link) => {
      link.addEventListener("click", (event) => this.leave(event, link.href));
    });
    this.root.querySelector("[data-fe-reload]").addEventListener("click", () => {
      this.saver.stop();
      window.location.reload();
    });
    this.root.querySelector("[data-fe-copy]").addEventListener("click", () => this.saveCopy());
  }

  /** Going to another form or to the diagram: save what is pending first. */
  async leave(event, href) {
    if (!this.saver.isDirty()) { return; }
    event.preventDefault();
    await this.saver.saveNow();
    window.location.assign(href);
  }

  onSaveState(state, info) {
    if (state === "refused") {
      this.showRefusal(info.error);
    } else if (state === "conflict") {
      this.view.conflict(info.error);
    } else if (state === "saved") {
      this.view.saved(info.savedAt || null);
    } else {
      this.view.state(state, info.error);
    }
  }

  showRefusal(error) {
    this.view.refused(error.text || error.message);
    const field = findField(this.editor, namedComponent(error));
    selectField(this.editor, this.root, field);
  }

  /** After a conflict: the diagram as loaded and every form, this one as edited here. */
  async saveCopy() {
    const forms = { ...(this.content.forms || {}), [this.config.key]: this.editor.saveSchema() };
    this.view.copying(true);
    try {
      const copy = await this.request(this.config.urls.copy, {
        method: "POST", body: { bpmn_xml: this.content.bpmn_xml, forms },
      });
      window.location.assign(this.config.urls.copyEditor.replace("{id}", String(copy.id)));
    } catch (error) {
      this.view.copying(false);
      this.view.showProblem(this.texts.copyFailed, error.text || error.message);
    }
  }
}

onReady(() => {
  const config = readConfig();
  const root = document.querySelector("[data-form-editor]");
  if (config && root) { new FormEditorPage(root, config).start(); }
});
