/**
 * The editor's two dialogs, both native modal <dialog> elements from the page (focus kept
 * inside while open, returned to where it was when closed):
 *
 * - the conflict dialog: someone else saved the draft; reload their version, or save ours
 *   as a new draft (POST /salin, then open it). It cannot be dismissed without a choice,
 *   since autosave has stopped and nothing else would be saved;
 * - the new-form dialog: asks a key, creates the empty form on the server (PUT
 *   /formulir/<key>), then offers to open the form editor.
 */
import { ApiError } from "./api.js";
import { text } from "./config.js";

const FORM_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,119}$/;

function openModal(dialog, focusTarget) {
  const before = document.activeElement;
  dialog.addEventListener("close", () => {
    if (before && before.isConnected && typeof before.focus === "function") before.focus();
  }, { once: true });
  dialog.showModal();
  if (focusTarget) focusTarget.focus();
}

function formatMoment(iso, lang) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso || "";
  return moment.toLocaleString(lang, { dateStyle: "medium", timeStyle: "short" });
}

export class ConflictDialog {
  constructor({ dialog, words, lang, onReload, onCopy }) {
    this.dialog = dialog;
    this.words = words;
    this.lang = lang;
    this.message = dialog.querySelector("[data-conflict-text]");
    this.error = dialog.querySelector("[data-conflict-error]");
    this.reload = dialog.querySelector("[data-conflict-reload]");
    this.copy = dialog.querySelector("[data-conflict-copy]");
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    this.reload.addEventListener("click", () => onReload());
    this.copy.addEventListener("click", async () => {
      this.setBusy(true);
      this.error.textContent = "";
      try {
        await onCopy();
      } catch (error) {
        this.error.textContent = `${text(this.words, "copyFailed")} ${error.message || ""}`.trim();
        this.setBusy(false);
      }
    });
  }

  setBusy(busy) {
    this.reload.disabled = busy;
    this.copy.disabled = busy;
    this.copy.setAttribute("aria-busy", busy ? "true" : "false");
  }

  show(details = {}) {
    const values = {
      name: details.updated_by || text(this.words, "someoneElse"),
      time: formatMoment(details.updated_at, this.lang),
    };
    this.message.textContent = text(this.words, "conflictText", values);
    if (!this.dialog.open) openModal(this.dialog, this.reload);
  }
}

export class NewFormDialog {
  constructor({ dialog, words, existingKeys, create, editorUrl }) {
    this.dialog = dialog;
    this.words = words;
    this.existingKeys = existingKeys;
    this.create = create;
    this.editorUrl = editorUrl;
    this.form = dialog.querySelector("[data-new-form]");
    this.input = dialog.querySelector("[data-new-form-key]");
    this.error = dialog.querySelector("[data-new-form-error]");
    this.done = dialog.querySelector("[data-new-form-done]");
    this.doneText = dialog.querySelector("[data-new-form-done-text]");
    this.open = dialog.querySelector("[data-new-form-open]");
    this.submit = this.form.querySelector("button[type=submit]");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirm();
    });
    dialog.querySelectorAll("[data-dialog-close]").forEach((button) => {
      button.addEventListener("click", () => dialog.close());
    });
  }

  /** Ask for a key; `callback(key)` runs as soon as the form exists (never when cancelled). */
  ask(callback) {
    this.callback = callback;
    this.form.hidden = false;
    this.done.hidden = true;
    this.input.value = "";
    this.showError("");
    openModal(this.dialog, this.input);
  }

  showError(message) {
    this.error.textContent = message;
    this.input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  async confirm() {
    const key = this.input.value.trim();
    if (!FORM_KEY.test(key)) {
      this.showError(text(this.words, "formKeyInvalid"));
      return;
    }
    if (this.existingKeys().includes(key)) {
      this.showError(text(this.words, "formKeyTaken", { key }));
      return;
    }
    this.submit.disabled = true;
    try {
      await this.create(key);
    } catch (error) {
      const reason = error instanceof ApiError ? error.message : "";
      this.showError(`${text(this.words, "formCreateFailed")} ${reason}`.trim());
      this.submit.disabled = false;
      return;
    }
    this.submit.disabled = false;
    if (this.callback) this.callback(key);  // at once: "open the form editor" leaves the page
    this.callback = null;
    this.form.hidden = true;
    this.done.hidden = false;
    this.doneText.textContent = text(this.words, "formCreated", { key });
    this.open.href = this.editorUrl(key);
    this.open.focus();
  }
}
