/**
 * Autosave of the draft's diagram: a few seconds after the last change (and at once when
 * the page is hidden or left), PUT /pemodel/draf/<id>/isi with the revision it is based on.
 *
 * Compare-and-set, never an overwrite. A 409 `draft_conflict` means someone saved since our
 * revision. If what they saved left the diagram exactly as we last saved it (they changed a
 * form, e.g. in the form editor in another tab), our change is applied on top of their
 * revision; otherwise the conflict dialog asks what to do and nothing more is sent.
 *
 * Every write of the draft from this page (a save, a new form, a deploy) goes through
 * `run()`, one at a time, so the page never races itself into a conflict.
 */
import { ApiError, NetworkError } from "./api.js";

const QUIET_MS = 2500;       // save this long after the last change ...
const LONGEST_MS = 10000;    // ... but no later than this after the first unsaved one
const RETRY_MS = [3000, 6000, 15000, 30000];
const KEEPALIVE_LIMIT = 60000;  // browsers refuse keepalive bodies over 64 KiB

export class Autosave {
  constructor({ api, urls, draft, getXml, status, onConflict, onDeployed, onRefused }) {
    this.api = api;
    this.urls = urls;
    this.revision = draft.revision;
    this.saved = draft.bpmn_xml;      // the diagram as the server holds it at `revision`
    this.forms = draft.forms || {};
    this.getXml = getXml;
    this.status = status;
    this.onConflict = onConflict;
    this.onDeployed = onDeployed;
    this.onRefused = onRefused;
    this.dirty = false;
    this.stopped = false;
    this.queue = Promise.resolve();
    this.timer = null;
    this.firstChange = 0;
    this.failures = 0;
    this.formListeners = [];
  }

  /** A change was made: save soon. */
  touch() {
    if (this.stopped) return;
    this.dirty = true;
    const now = Date.now();
    if (!this.firstChange) this.firstChange = now;
    const wait = Math.min(QUIET_MS, Math.max(0, this.firstChange + LONGEST_MS - now));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), wait);
    this.status("unsaved");
  }

  /** Run `task(revision)` after every write before it; it returns the new revision or
   * nothing. Errors reach the caller. */
  run(task) {
    const result = this.queue.then(() => task(this.revision));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Save now if anything is unsaved; resolves true when the server holds our diagram. */
  async flush() {
    clearTimeout(this.timer);
    if (this.dirty && !this.stopped) await this.save();
    await this.queue;
    return !this.dirty;
  }

  save(options = {}) {
    clearTimeout(this.timer);
    return this.run(() => this.saveNow(options)).catch(() => undefined);
  }

  async saveNow({ keepalive = false } = {}) {
    if (this.stopped || !this.dirty) return;
    this.dirty = false;
    this.firstChange = 0;
    let xml;
    try {
      xml = await this.getXml();
    } catch (error) {
      this.dirty = true;
      this.status("refused", error.message);
      return;
    }
    if (xml === this.saved) {
      this.status("saved");
      return;
    }
    this.status("saving");
    try {
      const answer = await this.api.put(this.urls.content,
        { revision: this.revision, bpmn_xml: xml },
        { keepalive: keepalive && xml.length < KEEPALIVE_LIMIT });
      this.accept(answer, xml);
    } catch (error) {
      this.dirty = true;
      await this.failed(error, xml);
    }
  }

  accept(answer, xml) {
    this.revision = answer.revision;
    this.saved = xml;
    this.failures = 0;
    this.status("saved", answer.saved_at, answer.revision);
  }

  async failed(error, xml) {
    if (error instanceof ApiError && error.status === 409) {
      if (error.code === "draft_conflict" && await this.rebase(xml)) return;
      this.stop();
      if (error.code === "draft_deployed") this.onDeployed(error.details);
      else this.onConflict(error.details);
      return;
    }
    if (error instanceof ApiError && error.status < 500) {
      this.status("refused", error.message);
      this.onRefused(error);
      if (error.status === 403 || error.status === 404) this.stop();
      return;
    }
    this.status(error instanceof NetworkError ? "offline" : "failed");
    const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), wait);
  }

  /** Someone saved after us. If the diagram they left is the one we last saved, only the
   * forms moved: take their revision and forms and send our diagram again. */
  async rebase(xml) {
    let latest;
    try {
      latest = await this.api.get(this.urls.content);
    } catch {
      return false;
    }
    if (latest.bpmn_xml !== this.saved || latest.deployed_version) return false;
    this.revision = latest.revision;
    this.setForms(latest.forms || {});
    try {
      const answer = await this.api.put(this.urls.content,
        { revision: this.revision, bpmn_xml: xml });
      this.accept(answer, xml);
      return true;
    } catch {
      return false;
    }
  }

  /** Back on the page (another tab may have saved a form): take the server's newer
   * revision and forms when its diagram is still the one we last saved, so the next save
   * is not a conflict. Anything else is left for the next save to find. */
  refresh() {
    if (this.stopped) return Promise.resolve();
    return this.run(async () => {
      let latest;
      try {
        latest = await this.api.get(this.urls.content);
      } catch {
        return;
      }
      if (latest.revision > this.revision && latest.bpmn_xml === this.saved
          && !latest.deployed_version) {
        this.revision = latest.revision;
        this.setForms(latest.forms || {});
      }
    });
  }

  /** A write other than the diagram (a new form, a deploy) moved the revision. */
  advance(revision) {
    if (revision) this.revision = revision;
  }

  setForms(forms) {
    this.forms = forms;
    this.formListeners.forEach((listener) => listener(forms));
  }

  onForms(listener) {
    this.formListeners.push(listener);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Unsaved work would be lost if the page went away now. */
  isAtRisk() {
    return this.dirty;
  }
}
