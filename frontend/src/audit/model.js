/* The run's state after any event k, computed from the page data (#history-data, the
 * dict of engine.services.replay.history_of) without asking the server again.
 *
 * Built once: the open tokens and the process data are kept as a snapshot every CHECK_EVERY
 * events, so the state after event k is the nearest snapshot at or before k plus at most
 * CHECK_EVERY - 1 events applied to a copy of it: jumping anywhere in a run of thousands of
 * events costs the same as one step. Sequence flows and passes are lists of the events at
 * which each was taken or began, sorted, so counting up to k is a binary search.
 *
 * Snapshots never change once made: data values are replaced whole by each change (the
 * service reports changes per top-level key), so a snapshot may share them with the next.
 */

const CHECK_EVERY = 32;

/** How many numbers in the sorted `list` are <= k. */
export function countUpTo(list, k) {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle] <= k) { low = middle + 1; } else { high = middle; }
  }
  return low;
}

function emptyState() {
  return { tokens: new Map(), process: {}, opd: {} };
}

function copyState(state) {
  const opd = {};
  Object.keys(state.opd).forEach((code) => { opd[code] = { ...state.opd[code] }; });
  return { tokens: new Map(state.tokens), process: { ...state.process }, opd };
}

/** Event `event` applied to `state` (which the caller owns: it is changed in place). */
function applyEvent(state, event) {
  (event.tokens_removed || []).forEach((key) => state.tokens.delete(key));
  (event.tokens_added || []).forEach((token) => state.tokens.set(token.key, token));
  (event.changes || []).forEach((change) => {
    let bucket = state.process;
    if (change.scope) {
      if (!state.opd[change.scope]) { state.opd[change.scope] = {}; }
      bucket = state.opd[change.scope];
    }
    if (change.after === undefined) { delete bucket[change.key]; } else { bucket[change.key] = change.after; }
  });
}

function pushTo(map, key, value) {
  if (!map.has(key)) { map.set(key, []); }
  map.get(key).push(value);
}

/** Per task: the first event that names it and the last that removes its token. */
function taskSpans(events) {
  const first = new Map();
  const last = new Map();
  events.forEach((event) => {
    if (event.task_id != null && !first.has(event.task_id)) { first.set(event.task_id, event.seq); }
    (event.tokens_added || []).forEach((token) => {
      if (token.task_id != null && !first.has(token.task_id)) { first.set(token.task_id, event.seq); }
    });
    (event.tokens_removed || []).forEach((key) => {
      const match = /^task:(\d+)$/.exec(key);
      if (match) { last.set(Number(match[1]), event.seq); }
    });
  });
  return { first, last };
}

/** The event at which a pass began when no event names its task: the first at or after
 * the moment it opened. */
function seqAtMoment(events, iso) {
  const moment = Date.parse(iso);
  const found = events.find((event) => Date.parse(event.occurred_at) >= moment);
  return found ? found.seq : events.length;
}

function passesOf(data, events) {
  const spans = taskSpans(events);
  const passes = new Map();
  Object.entries(data.activities || {}).forEach(([elementId, activity]) => {
    const list = (activity.passes_detail || []).map((one) => {
      const start = spans.first.get(one.task_id) ?? seqAtMoment(events, one.opened_at);
      const ended = one.ended_at ? (spans.last.get(one.task_id) ?? seqAtMoment(events, one.ended_at)) : null;
      return { start, end: ended, days: one.days || 0, late: Boolean(one.late) };
    });
    list.sort((a, b) => a.start - b.start);
    passes.set(elementId, { activity, list, starts: list.map((one) => one.start) });
  });
  return passes;
}

export class ReplayModel {
  constructor(data) {
    this.data = data;
    this.events = data.events || [];
    this.n = this.events.length;
    this.snapshots = [emptyState()];
    const running = emptyState();
    this.events.forEach((event, index) => {
      applyEvent(running, event);
      if ((index + 1) % CHECK_EVERY === 0) { this.snapshots.push(copyState(running)); }
    });
    this.flowSeqs = new Map();
    this.elementFirst = new Map();
    this.events.forEach((event) => {
      (event.flows_taken || []).forEach((flow) => pushTo(this.flowSeqs, flow, event.seq));
      this.reach(event.element_id, event.seq);
      (event.tokens_added || []).forEach((token) => this.reach(token.element_id, event.seq));
    });
    this.passes = passesOf(data, this.events);
    this.passes.forEach((entry, elementId) => {
      if (entry.list.length) { this.reach(elementId, entry.list[0].start); }
    });
  }

  reach(elementId, seq) {
    if (elementId && !this.elementFirst.has(elementId)) { this.elementFirst.set(elementId, seq); }
  }

  event(k) {
    return this.events[k - 1] || null;
  }

  /** Tokens and data after event k (0: before the first). */
  stateAt(k) {
    const step = Math.max(0, Math.min(k, this.n));
    const base = Math.floor(step / CHECK_EVERY);
    const state = copyState(this.snapshots[base]);
    for (let index = base * CHECK_EVERY; index < step; index += 1) {
      applyEvent(state, this.events[index]);
    }
    return state;
  }

  flowCount(flowId, k) {
    const seqs = this.flowSeqs.get(flowId);
    return seqs ? countUpTo(seqs, k) : 0;
  }

  /** Passes begun by event k; working days and lateness of those ended by then (and, at
   * the last event, of those still open, as the service measured them). */
  passesAt(elementId, k) {
    const entry = this.passes.get(elementId);
    if (!entry) { return null; }
    const count = countUpTo(entry.starts, k);
    let days = 0;
    let late = 0;
    for (let index = 0; index < count; index += 1) {
      const one = entry.list[index];
      const measured = one.end != null ? one.end <= k : k >= this.n;
      if (measured) {
        days += one.days;
        if (one.late) { late += 1; }
      }
    }
    return { count, days, late, waktu: entry.activity.waktu, name: entry.activity.name };
  }

  firstReached(elementId) {
    return this.elementFirst.get(elementId);
  }
}
