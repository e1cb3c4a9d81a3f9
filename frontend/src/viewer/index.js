/* The deployed diagram of one process run, with where it stands (Pelaksanaan page).
 *
 * The page holds `[data-diagram-url]`: this script fetches {xml, elements, calls, position}
 * from it (computed on the server by engine/services/diagramviews.py, from the tasks the
 * viewer may see) and draws the diagram with bpmn-js's NavigatedViewer (drag to pan,
 * Ctrl + wheel or the buttons to zoom; a plain wheel scrolls the page, not the diagram).
 *
 * - Each element gets its state as a marker: "alur-open" (the current position, a call
 *   activity included while the run is inside it), "alur-done", "alur-waiting" (a timer
 *   event some OPD waits on). Badges carry the server's words: "1/3", "Periode 2",
 *   "Menunggu sampai 31 Desember 2026".
 * - The SOP draws each called process as its own pool. The buttons `[data-diagram-focus]`
 *   show one pool (the main process first) or the whole diagram; a click on a call
 *   activity shows the pool it calls. On a narrow screen a pool is not shrunk below a
 *   readable scale: the view centres on the current position and the canvas pans.
 * - `[data-diagram-full]` expands the diagram over the whole window (a CSS overlay, so it
 *   works where the Fullscreen API does not); Esc or the close button ends it.
 *
 * CSP (script-src 'self'; style-src 'self'): no inline scripts or style attributes. Markers
 * and badges are CSS classes; bpmn-js itself styles through the CSSOM, which CSP allows.
 * All text shown comes translated from the server (the page or the data route).
 */
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

import { markPressed, stepZoom } from "../common/diagramview.js";
import { onReady } from "../common/ready.js";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./diagram.css";

const MARKERS = { open: "alur-open", done: "alur-done", waiting: "alur-waiting" };
const WHEEL_PIXEL = 0.015;  // zoom per wheel pixel with Ctrl held (diagram-js's own feel)
const WHEEL_LINE = 0.24;
const PADDING = 24;  // diagram units around a shown pool
const TOO_SMALL = 0.45;  // a pool fitted below this scale cannot be read (a phone) ...
const READABLE = 0.75;  // ... so it is shown at this scale instead, and the canvas pans
const FULL = "alur-diagram-full";

function poolOf(element) {
  let node = element;
  while (node && node.type !== "bpmn:Participant") { node = node.parent; }
  return node;
}

/** The box to show for `target` (a participant id, or "all"), centred, never unreadable. */
function frameFor(viewer, target, position) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const outer = canvas.getSize();
  const pool = target === "all" ? null : registry.get(target);
  const inner = pool || canvas.viewbox().inner;
  const box = { x: inner.x - PADDING, y: inner.y - PADDING,
    width: inner.width + 2 * PADDING, height: inner.height + 2 * PADDING };
  let scale = Math.min(outer.width / box.width, outer.height / box.height);
  if (scale >= TOO_SMALL || !pool) {  // the pool fits: centred across, from its top down
    const width = outer.width / scale;
    return { x: box.x + box.width / 2 - width / 2, y: box.y, width, height: outer.height / scale };
  }
  scale = READABLE;
  const width = outer.width / scale;
  const height = outer.height / scale;
  const here = position.map((id) => registry.get(id))
    .find((element) => element && poolOf(element) === pool);
  const cx = here ? here.x + here.width / 2 : box.x + width / 2;
  const cy = here ? here.y + here.height / 2 : box.y + box.height / 2;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

function badge(info) {
  const node = document.createElement("span");
  const kinds = { count: "alur-count", period: "alur-count alur-count-period",
    wait: "alur-wait-badge" };
  node.className = kinds[info.kind] || "alur-count";
  node.textContent = info.text;
  if (info.title) { node.title = info.title; }
  return node;
}

function markState(viewer, data) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  Object.entries(data.elements || {}).forEach(([id, info]) => {
    if (!registry.get(id)) { return; }
    if (MARKERS[info.state]) { canvas.addMarker(id, MARKERS[info.state]); }
    if (!info.badge) { return; }
    const node = badge(info.badge);
    if (info.state === "open" && node.className.startsWith("alur-count")) {
      node.classList.add("alur-count-open");
    }
    const below = info.badge.kind === "wait";
    overlays.add(id, "alur-badge", {
      position: below ? { bottom: -42, left: -48 } : { top: 0, right: 0 },
      scale: { min: 0.8 }, html: node,
    });
  });
}

class DiagramControls {
  constructor(root, viewer, data) {
    this.root = root;
    this.viewer = viewer;
    this.data = data;
    this.target = null;
    this.opener = null;
  }

  focus(target) {
    this.target = target;
    this.viewer.get("canvas").viewbox(frameFor(this.viewer, target, this.data.position || []));
    markPressed(this.root, ".alur-views [data-diagram-focus]", "data-diagram-focus", target);
  }

  zoom(action) {
    if (action === "fit") {
      this.focus(this.target);
      return;
    }
    stepZoom(this.viewer, this.container, action);
  }

  setFull(on) {
    const toggle = this.root.querySelector("[data-diagram-full]");
    const close = this.root.querySelector("[data-diagram-close]");
    this.root.classList.toggle(FULL, on);
    document.documentElement.classList.toggle("alur-diagram-locked", on);
    close.hidden = !on;
    toggle.setAttribute("aria-expanded", on ? "true" : "false");
    this.viewer.get("canvas").resized();
    this.focus(this.target);
    if (on) {
      this.opener = document.activeElement;
      close.focus();
    } else if (this.opener && this.opener.isConnected) {
      this.opener.focus();
    }
  }

  wire() {
    this.container = this.root.querySelector("[data-diagram-canvas]");
    this.root.querySelectorAll("[data-diagram-focus]").forEach((button) => {
      button.addEventListener("click", () => {
        this.focus(button.getAttribute("data-diagram-focus"));
        if (!button.closest(".alur-views")) { this.container.scrollIntoView({ block: "nearest" }); }
      });
    });
    this.root.querySelectorAll("[data-diagram-zoom]").forEach((button) => {
      button.addEventListener("click", () => this.zoom(button.getAttribute("data-diagram-zoom")));
    });
    this.root.querySelector("[data-diagram-full]").addEventListener("click",
      () => this.setFull(!this.root.classList.contains(FULL)));
    this.root.querySelector("[data-diagram-close]").addEventListener("click",
      () => this.setFull(false));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.root.classList.contains(FULL)) { this.setFull(false); }
    });
    document.addEventListener("focusin", (event) => {  // the covered page cannot take focus
      if (this.root.classList.contains(FULL) && !this.root.contains(event.target)) {
        this.root.querySelector("[data-diagram-close]").focus();
      }
    });
    this.viewer.on("element.click", (event) => {
      const pool = (this.data.calls || {})[event.element.id];
      if (pool) { this.focus(pool); }
    });
    this.wireWheel();
    if (typeof ResizeObserver === "function") {
      new ResizeObserver(() => this.viewer.get("canvas").resized()).observe(this.container);
    }
  }

  wireWheel() {
    const zoomScroll = this.viewer.get("zoomScroll");
    this.container.addEventListener("wheel", (event) => {
      if (!event.ctrlKey && !event.metaKey) { return; }  // a plain wheel scrolls the page
      event.preventDefault();
      const box = this.container.getBoundingClientRect();
      const factor = event.deltaMode === 0 ? WHEEL_PIXEL : WHEEL_LINE;
      zoomScroll.zoom(-event.deltaY * factor,
        { x: event.clientX - box.left, y: event.clientY - box.top });
    }, { passive: false });
  }
}

function firstView(root) {
  const pressed = root.querySelector(".alur-views [aria-pressed=true]");
  return pressed ? pressed.getAttribute("data-diagram-focus") : "all";
}

async function show(root) {
  const container = root.querySelector("[data-diagram-canvas]");
  try {
    const response = await fetch(root.getAttribute("data-diagram-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) { throw new Error(`diagram data: HTTP ${response.status}`); }
    const data = await response.json();
    const viewer = new NavigatedViewer({ container, zoomScroll: { enabled: false } });
    await viewer.importXML(data.xml);
    markState(viewer, data);
    const controls = new DiagramControls(root, viewer, data);
    controls.wire();
    controls.focus(firstView(root));
    root.setAttribute("data-diagram-state", "ready");
  } catch (error) {
    root.setAttribute("data-diagram-state", "failed");
    const problem = root.querySelector("[data-diagram-error]");
    if (problem) { problem.hidden = false; }
    console.error("Alur Kinerja: the diagram could not be shown", error);
  }
}

onReady(() => {
  document.querySelectorAll("[data-diagram-url]").forEach(show);
});
