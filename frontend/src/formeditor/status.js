/**
 * What the form editor page tells the person: the save status beside "Simpan", the
 * server's refusal, the conflict box, the preview's problem. Every sentence comes from the
 * page (`texts`, translated on the server); times are shown in the page's language.
 */

function formatTime(iso, withDay) {
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) { return ""; }
  const options = withDay
    ? { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" }
    : { hour: "2-digit", minute: "2-digit" };
  return new Intl.DateTimeFormat(document.documentElement.lang || "id", options).format(moment);
}

export class StatusView {
  constructor(root, texts) {
    this.root = root;
    this.texts = texts;
    this.status = root.querySelector("[data-fe-status]");
    this.saveButton = root.querySelector("[data-fe-save]");
    this.problem = root.querySelector("[data-fe-problem]");
    this.conflictBox = root.querySelector("[data-fe-conflict]");
    this.previewBox = root.querySelector("[data-fe-preview-problem]");
  }

  part(box, name) {
    return box.querySelector(`[data-fe-${name}]`);
  }

  setStatus(state, text) {
    if (!this.status) { return; }
    this.status.dataset.state = state;
    this.status.textContent = text;
  }

  loading(on) {
    const note = this.root.querySelector("[data-fe-loading]");
    if (note) { note.hidden = !on; }
  }

  saved(savedAt) {
    const text = savedAt ? this.texts.savedAt.replace("{time}", formatTime(savedAt)) : this.texts.saved;
    this.setStatus("saved", text);
    this.problem.hidden = true;
  }

  state(state, error) {
    if (state === "dirty") {
      this.setStatus(state, this.texts.unsaved);
    } else if (state === "saving") {
      this.setStatus(state, this.texts.saving);
    } else if (state === "retry") {
      this.setStatus(state, error && error.status === 0 ? this.texts.offline : this.texts.saveFailed);
    } else if (state === "forbidden") {
      this.setStatus(state, this.texts.forbidden);
      this.saveButton.disabled = true;
      this.showProblem(this.texts.forbidden, error && (error.text || error.message));
    }
  }

  showProblem(title, message, hint = "") {
    this.part(this.problem, "problem-title").textContent = title;
    this.part(this.problem, "problem-text").textContent = message || "";
    this.part(this.problem, "problem-hint").textContent = hint;
    this.problem.hidden = false;
  }

  refused(message) {
    this.setStatus("refused", this.texts.unsaved);
    this.showProblem(this.texts.refused, message, this.texts.refusedHint);
  }

  /** 409: someone saved first (draft_conflict), or the draft was deployed meanwhile. */
  conflict(error) {
    const details = error.details || {};
    this.setStatus("conflict", this.texts.conflictTitle);
    this.saveButton.disabled = true;
    const text = error.code === "draft_deployed" ? this.texts.deployed : this.texts.conflict
      .replace("{name}", details.updated_by || "—")
      .replace("{time}", details.updated_at ? formatTime(details.updated_at, true) : "—");
    this.part(this.conflictBox, "conflict-text").textContent = text;
    this.conflictBox.hidden = false;
    this.part(this.conflictBox, "reload").focus();
  }

  copying(on) {
    this.part(this.conflictBox, "copy").disabled = on;
    this.part(this.conflictBox, "reload").disabled = on;
  }

  previewProblem(message) {
    if (!this.previewBox) { return; }
    this.previewBox.hidden = !message;
    this.previewBox.textContent = message ? `${this.texts.previewFailed} ${message}` : "";
  }
}
