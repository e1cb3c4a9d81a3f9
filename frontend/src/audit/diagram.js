/* The version's diagram at event k: bpmn-js's NavigatedViewer with
 *
 * - each flow node done (green, ✓), active at k (blue, thick, ▶) or never reached up to k
 *   (grey, dashed): colour, line pattern and a symbol, never colour alone;
 * - each sequence flow drawn wider the more often it was taken up to k, with the count
 *   beside it; flows not taken stay thin and grey;
 * - on every step that ran a badge: its passes up to k and "Σ n HK / Waktu m HK", red with
 *   ⚠ when a pass was late;
 * - a click on a step opens its passes (the server's table, copied into a panel), a click
 *   on a call activity shows the pool it calls.
 *
 * Markers and overlay nodes are made once and only changed where the state changed, so a
 * step costs a few class changes. CSP: classes only, no style attributes (bpmn-js styles
 * through the CSSOM, which CSP allows).
 */
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

import { element, fill } from "./text.js";

const STATES = { done: "audit-done", active: "audit-active", never: "audit-never" };
const SYMBOLS = { done: "✓", active: "▶", never: "" };
const WIDTHS = [0, 1, 2, 3, 3, 4, 4, 4, 4, 5];  // flow count -> width class (capped at 5)
const FLOW_NODE = /^bpmn:(.*Task|CallActivity|SubProcess|.*Event|.*Gateway)$/;
const ARROW_SCALE = 2;  // bpmn-js's lines are 2 units wide: the same arrowheads, fixed
const PADDING = 24;
const TOO_SMALL = 0.45;
const READABLE = 0.75;
const WHEEL_PIXEL = 0.015;
const WHEEL_LINE = 0.24;

function processOf(businessObject) {
  let node = businessObject && businessObject.$parent;
  while (node && node.$type !== "bpmn:Process") { node = node.$parent; }
  return node ? node.id : null;
}

function poolOf(element) {
  let node = element;
  while (node && node.type !== "bpmn:Participant") { node = node.parent; }
  return node;
}

/** The middle of a connection's longest segment, relative to its box (where its count goes). */
function middleOf(connection) {
  const points = connection.waypoints || [];
  let best = null;
  let length = -1;
  for (let index = 1; index < points.length; index += 1) {
    const a = points[index - 1];
    const b = points[index];
    const here = Math.abs(b.x - a.x) + Math.abs(b.y - a.y);
    if (here > length) { length = here; best = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }; }
  }
  const left = Math.min(...points.map((p) => p.x));
  const top = Math.min(...points.map((p) => p.y));
  return best ? { left: best.x - left, top: best.y - top } : { left: 0, top: 0 };
}

export class ReplayDiagram {
  constructor(root, view, model, onOpen) {
    this.root = root;
    this.view = view;
    this.text = view.text || {};
    this.model = model;
    this.onOpen = onOpen;
    this.container = root.querySelector("[data-diagram-canvas]");
    this.nodes = [];
    this.flows = [];
    this.badges = new Map();
    this.target = null;
  }

  async init() {
    this.viewer = new NavigatedViewer({ container: this.container, zoomScroll: { enabled: false } });
    await this.viewer.importXML(this.view.xml);
    this.canvas = this.viewer.get("canvas");
    this.overlays = this.viewer.get("overlays");
    this.fixArrowheads();
    this.index();
    this.wire();
    const pressed = this.root.querySelector(".alur-views [aria-pressed=true]");
    this.focus(pressed ? pressed.getAttribute("data-diagram-focus") : "all");
    this.root.setAttribute("data-diagram-state", "ready");
  }

  /** bpmn-js sizes arrowheads by the line's width; drawn in plain units instead, a flow
   * made wider (taken often) keeps an arrowhead of the usual size. */
  fixArrowheads() {
    this.container.querySelectorAll("svg marker").forEach((marker) => {
      if (marker.getAttribute("markerUnits") === "userSpaceOnUse") { return; }
      ["markerWidth", "markerHeight"].forEach((name) => {
        marker.setAttribute(name, String(Number(marker.getAttribute(name)) * ARROW_SCALE));
      });
      marker.setAttribute("markerUnits", "userSpaceOnUse");
    });
  }

  /** Every flow node and flow, once: their pools, first reach, overlays. */
  index() {
    const registry = this.viewer.get("elementRegistry");
    this.callsByProcess = new Map();
    registry.getAll().forEach((shape) => {
      const bo = shape.businessObject;
      if (shape.type === "bpmn:CallActivity" && bo.calledElement) {
        const list = this.callsByProcess.get(bo.calledElement) || [];
        list.push(shape.id);
        this.callsByProcess.set(bo.calledElement, list);
      }
    });
    registry.getAll().forEach((shape) => {
      if (shape.labelTarget) { return; }
      if (shape.type === "bpmn:SequenceFlow") {
        this.flows.push(this.flowEntry(shape));
      } else if (FLOW_NODE.test(shape.type)) {
        this.nodes.push(this.nodeEntry(shape));
      }
    });
    this.flows.forEach((flow) => {
      const first = this.model.flowSeqs.get(flow.id);
      if (first && first.length) {
        this.model.reach(flow.source, first[0]);
        this.model.reach(flow.target, first[0]);
      }
    });
    this.processOfNode = new Map(this.nodes.map((node) => [node.id, node.process]));
    this.reachCalls();
  }

  nodeEntry(shape) {
    const entry = { id: shape.id, process: processOf(shape.businessObject), state: null, mark: null, symbol: null };
    if (this.model.passes.has(shape.id)) { this.badges.set(shape.id, this.makeBadge(shape)); }
    return entry;
  }

  flowEntry(shape) {
    const bo = shape.businessObject;
    const label = element("span", "audit-flow-count");
    label.hidden = true;
    const place = middleOf(shape);
    this.overlays.add(shape.id, "audit-flow", { position: { left: place.left + 4, top: place.top - 18 }, html: label });
    return { id: shape.id, source: bo.sourceRef && bo.sourceRef.id, target: bo.targetRef && bo.targetRef.id,
      label, count: -1, marker: null };
  }

  makeBadge(shape) {
    const node = element("span", "audit-badge");
    node.hidden = true;
    node.setAttribute("data-testid", "diagram-badge");
    node.setAttribute("data-element-id", shape.id);
    this.overlays.add(shape.id, "audit-badge", {
      position: { bottom: -6, left: shape.width / 2 }, scale: { min: 0.7 }, html: node,
    });
    return { node, key: null };
  }

  /** A call activity counts as reached when anything in the process it calls is. */
  reachCalls() {
    let changed = true;
    while (changed) {
      changed = false;
      this.nodes.forEach((node) => {
        const seq = this.model.firstReached(node.id);
        (this.callsByProcess.get(node.process) || []).forEach((call) => {
          const known = this.model.firstReached(call);
          if (seq !== undefined && (known === undefined || seq < known)) {
            this.model.elementFirst.set(call, seq);
            changed = true;
          }
        });
      });
    }
  }

  /** The elements holding a token after event k (with how many: one per OPD at a step
   * of an OPD's report), and the call activities around them. */
  activeAt(state) {
    const active = new Map();
    const climb = (id) => {
      if (active.has(id)) { return; }
      active.set(id, 0);
      (this.callsByProcess.get(this.processOfNode.get(id)) || []).forEach(climb);
    };
    state.tokens.forEach((token) => {
      climb(token.element_id);
      active.set(token.element_id, active.get(token.element_id) + 1);
    });
    return active;
  }

  show(k, state) {
    if (!this.viewer) { return; }
    const active = this.activeAt(state);
    this.nodes.forEach((node) => {
      const first = this.model.firstReached(node.id);
      let next = "never";
      if (active.has(node.id)) { next = "active"; } else if (first !== undefined && first <= k) { next = "done"; }
      this.setState(node, next, active.get(node.id) || 0);
    });
    this.flows.forEach((flow) => this.setFlow(flow, this.model.flowCount(flow.id, k)));
    this.badges.forEach((badge, id) => this.setBadge(badge, this.model.passesAt(id, k)));
  }

  setState(node, next, tokens) {
    const mark = next === "active" && tokens > 1 ? `${SYMBOLS.active}${tokens}` : SYMBOLS[next];
    if (node.state === next && node.mark === mark) { return; }
    if (node.state !== next) {
      if (node.state) { this.canvas.removeMarker(node.id, STATES[node.state]); }
      this.canvas.addMarker(node.id, STATES[next]);
      node.state = next;
    }
    node.mark = mark;
    if (node.symbol === null) {
      node.symbol = element("span", "audit-state-symbol");
      node.symbol.setAttribute("aria-hidden", "true");
      this.overlays.add(node.id, "audit-state", { position: { top: -9, right: 9 }, html: node.symbol });
    }
    node.symbol.textContent = mark;
    node.symbol.className = `audit-state-symbol audit-state-${next}`;
    node.symbol.hidden = !mark;
  }

  setFlow(flow, count) {
    if (flow.count === count) { return; }
    flow.count = count;
    const marker = count ? `audit-flow-w${WIDTHS[Math.min(count, WIDTHS.length - 1)]}` : "audit-flow-never";
    if (flow.marker !== marker) {
      if (flow.marker) { this.canvas.removeMarker(flow.id, flow.marker); }
      this.canvas.addMarker(flow.id, marker);
      flow.marker = marker;
    }
    flow.label.hidden = !count;
    flow.label.textContent = count ? String(count) : "";
    flow.label.title = count ? fill(this.text.flow_title, { n: count }) : "";
  }

  setBadge(badge, passes) {
    const key = passes ? `${passes.count}/${passes.days}/${passes.late}` : "";
    if (badge.key === key) { return; }
    badge.key = key;
    const { node } = badge;
    node.hidden = !passes || !passes.count;
    if (node.hidden) { return; }
    node.classList.toggle("audit-badge-late", passes.late > 0);
    const sum = passes.waktu ? fill(this.text.sum_waktu, { days: passes.days, waktu: passes.waktu })
      : fill(this.text.sum, { days: passes.days });
    const count = element("span", "audit-badge-count", fill(this.text.passes, { n: passes.count }));
    const parts = passes.late ? [element("span", "audit-badge-mark", "⚠"), count] : [count];
    node.replaceChildren(...parts, element("span", "audit-badge-sum", sum));
    node.title = fill(this.text.badge_title, { name: passes.name, n: passes.count, days: passes.days }) +
      (passes.late ? ` (${passes.late} ${this.text.late_mark})` : "");
  }

  // ---- pools, zoom, clicks --------------------------------------------------------------

  frameFor(target) {
    const registry = this.viewer.get("elementRegistry");
    const outer = this.canvas.getSize();
    const pool = target === "all" ? null : registry.get(target);
    const inner = pool || this.canvas.viewbox().inner;
    const box = { x: inner.x - PADDING, y: inner.y - PADDING,
      width: inner.width + 2 * PADDING, height: inner.height + 2 * PADDING };
    let scale = Math.min(outer.width / box.width, outer.height / box.height);
    if (scale >= TOO_SMALL || !pool) {
      const width = outer.width / scale;
      return { x: box.x + box.width / 2 - width / 2, y: box.y, width, height: outer.height / scale };
    }
    scale = READABLE;
    const here = this.nodes.map((node) => node.state === "active" && registry.get(node.id))
      .find((shape) => shape && poolOf(shape) === pool);
    const cx = here ? here.x + here.width / 2 : box.x + outer.width / scale / 2;
    const cy = here ? here.y + here.height / 2 : box.y + box.height / 2;
    return { x: cx - outer.width / scale / 2, y: cy - outer.height / scale / 2,
      width: outer.width / scale, height: outer.height / scale };
  }

  focus(target) {
    this.target = target;
    this.canvas.viewbox(this.frameFor(target));
    this.root.querySelectorAll(".alur-views [data-diagram-focus]").forEach((button) => {
      button.setAttribute("aria-pressed", button.getAttribute("data-diagram-focus") === target ? "true" : "false");
    });
  }

  zoom(action) {
    if (action === "fit") { this.focus(this.target); return; }
    const box = this.container.getBoundingClientRect();
    this.viewer.get("zoomScroll").stepZoom(action === "in" ? 1 : -1, { x: box.width / 2, y: box.height / 2 });
  }

  wire() {
    this.root.querySelectorAll("[data-diagram-focus]").forEach((button) => {
      button.addEventListener("click", () => this.focus(button.getAttribute("data-diagram-focus")));
    });
    this.root.querySelectorAll("[data-diagram-zoom]").forEach((button) => {
      button.addEventListener("click", () => this.zoom(button.getAttribute("data-diagram-zoom")));
    });
    this.viewer.on("element.click", (event) => {
      const id = event.element.id;
      const pool = (this.view.calls || {})[id];
      if (pool) { this.focus(pool); } else if (this.model.passes.has(id)) { this.onOpen(id); }
    });
    const zoomScroll = this.viewer.get("zoomScroll");
    this.container.addEventListener("wheel", (event) => {
      if (!event.ctrlKey && !event.metaKey) { return; }
      event.preventDefault();
      const box = this.container.getBoundingClientRect();
      const factor = event.deltaMode === 0 ? WHEEL_PIXEL : WHEEL_LINE;
      zoomScroll.zoom(-event.deltaY * factor, { x: event.clientX - box.left, y: event.clientY - box.top });
    }, { passive: false });
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => this.canvas.resized()).observe(this.container);
    }
  }
}
