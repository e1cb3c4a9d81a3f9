/**
 * Autosave of one form of a draft: PUT {revision, schema} a few seconds after a change
 * (and at once on "Simpan"), compare-and-set on the draft's revision.
 *
 * States reported to `onState(state, info)`:
 *   "saved"     nothing unsaved (info.savedAt: the server's time of the last save, if any)
 *   "dirty"     a change waits for its save
 *   "saving"    a request is under way
 *   "retry"     the connection or the server failed; tried again by itself
 *   "refused"   400: the server cannot enforce this schema (info.error); saved again after
 *               the next change, never in a loop
 *   "conflict"  409: someone else saved the draft first (info.error.details); autosave
 *               stops for good, the page offers to reload or to save a copy
 *   "forbidden" 401/403/404: this person may not (or no longer) change the draft; stops
 */

const QUIET_MS = 2500;     // save this long after the last change ...
const MAX_WAIT_MS = 8000;  // ... but no later than this after the first unsaved one
const RETRY_MS = 5000;

export class Saver {
  constructor({ request, url, revision, snapshot, onState }) {
    this.request = request;
    this.url = url;
    this.revision = revision;
    this.snapshot = snapshot;  // () => the schema now, as a JSON string
    this.onState = onState;
    this.savedJson = snapshot();
    this.timer = null;
    this.firstUnsavedAt = null;
    this.inFlight = null;
    this.again = false;
    this.stopped = false;
  }

  isDirty() {
    return !this.stopped && (this.inFlight !== null || this.snapshot() !== this.savedJson);
  }

  /** The editor changed something (or only re-rendered: then nothing is scheduled). */
  changed() {
    if (this.stopped) { return; }
    if (this.snapshot() === this.savedJson) {
      if (!this.inFlight) { this.cancel(); this.onState("saved", {}); }
      return;
    }
    const now = Date.now();
    this.firstUnsavedAt = this.firstUnsavedAt || now;
    const wait = Math.min(QUIET_MS, Math.max(0, this.firstUnsavedAt + MAX_WAIT_MS - now));
    if (!this.inFlight) { this.onState("dirty", {}); }
    this.schedule(wait);
  }

  schedule(wait) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.saveNow(), wait);
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
    this.firstUnsavedAt = null;
  }

  stop() {
    this.cancel();
    this.stopped = true;
  }

  async saveNow() {
    if (this.stopped) { return; }
    this.cancel();
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const json = this.snapshot();
    if (json === this.savedJson) {
      this.onState("saved", {});
      return;
    }
    this.onState("saving", {});
    this.inFlight = this.request(this.url, {
      method: "PUT", body: { revision: this.revision, schema: JSON.parse(json) },
    });
    try {
      const answer = await this.inFlight;
      this.revision = answer.revision;
      this.savedJson = json;
      this.inFlight = null;
      this.afterSave(answer);
    } catch (error) {
      this.inFlight = null;
      this.again = false;
      this.failed(error);
    }
  }

  afterSave(answer) {
    const asked = this.again;  // "Simpan" was pressed while the request was under way
    this.again = false;
    if (this.snapshot() !== this.savedJson) {
      if (asked) { this.saveNow(); } else { this.changed(); }
      return;
    }
    this.onState("saved", { savedAt: answer.saved_at });
  }

  failed(error) {
    if (error.status === 409) {
      this.stop();
      this.onState("conflict", { error });
    } else if ([401, 403, 404].includes(error.status)) {
      this.stop();
      this.onState("forbidden", { error });
    } else if (error.status === 400 || error.status === 413) {
      this.onState("refused", { error });
    } else {
      this.onState("retry", { error });
      this.schedule(RETRY_MS);
    }
  }
}
