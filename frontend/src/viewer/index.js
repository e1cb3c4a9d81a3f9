/* The deployed diagram of one process run, with its state (Pelaksanaan page).
 *
 * The page holds `[data-diagram-url]`: this script fetches {xml, elements} from it, draws the
 * diagram with bpmn-js's NavigatedViewer (drag to pan, Ctrl + wheel or the buttons to zoom;
 * a plain wheel scrolls the page, not the diagram) and marks each element that has tasks: "alur-open" while one of its tasks is open,
 * "alur-done" when all are completed. An element with several tasks (one per OPD, or a step
 * done again after a revision) also gets a badge "completed/all". Call activities whose
 * called process has an open task are marked open too.
 *
 * CSP (script-src 'self'; style-src 'self'): no inline scripts or style attributes. Markers
 * and badges are CSS classes; bpmn-js itself styles through the CSSOM, which CSP allows.
 * All text shown comes translated from the page's data- attributes.
 */
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

import { onReady } from "../common/ready.js";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./diagram.css";

const OPEN = "alur-open";
const DONE = "alur-done";
const WHEEL_PIXEL = 0.015;  // zoom per wheel pixel with Ctrl held (diagram-js's own feel)
const WHEEL_LINE = 0.24;
const MARGIN = 0.96;  // after fitting, leave a little room around the pools

function fit(canvas) {
  canvas.zoom("fit-viewport", "auto");
  canvas.zoom(canvas.zoom() * MARGIN, "auto");
}

/** Call activities whose called process has an open task, directly or through its own calls. */
function activeCallActivities(registry, elements) {
  const processOf = (element) => {
    let node = element;
    while (node && node.type !== "bpmn:Participant" && node.type !== "bpmn:Process") {
      node = node.parent;
    }
    if (!node) { return null; }
    const bo = node.businessObject;
    return node.type === "bpmn:Participant" ? bo.processRef && bo.processRef.id : bo.id;
  };
  const active = new Set();
  Object.entries(elements).forEach(([id, counts]) => {
    const element = registry.get(id);
    if (element && counts.open > 0) { active.add(processOf(element)); }
  });
  const calls = registry.filter((element) => element.type === "bpmn:CallActivity");
  const marked = new Set();
  let grew = true;
  while (grew) {
    grew = false;
    calls.forEach((call) => {
      if (!marked.has(call.id) && active.has(call.businessObject.calledElement)) {
        marked.add(call.id);
        active.add(processOf(call));
        grew = true;
      }
    });
  }
  return marked;
}

function badge(counts, template) {
  const total = counts.open + counts.completed;
  const node = document.createElement("span");
  node.className = counts.open > 0 ? "alur-count alur-count-open" : "alur-count";
  node.textContent = `${counts.completed}/${total}`;
  node.title = template.replace("{done}", counts.completed).replace("{total}", total);
  return node;
}

function markState(viewer, elements, labels) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  Object.entries(elements).forEach(([id, counts]) => {
    const element = registry.get(id);
    if (!element) { return; }
    if (counts.open > 0) {
      canvas.addMarker(id, OPEN);
    } else if (counts.completed > 0) {
      canvas.addMarker(id, DONE);
    }
    if (counts.open + counts.completed > 1) {
      overlays.add(id, "alur-count", {
        position: { top: 0, right: 0 }, scale: { min: 0.8 }, html: badge(counts, labels.count),
      });
    }
  });
  activeCallActivities(registry, elements).forEach((id) => canvas.addMarker(id, OPEN));
}

function wireControls(root, viewer) {
  const canvas = viewer.get("canvas");
  const zoomScroll = viewer.get("zoomScroll");
  const container = root.querySelector("[data-diagram-canvas]");
  root.querySelectorAll("[data-diagram-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.getAttribute("data-diagram-zoom");
      if (action === "fit") {
        fit(canvas);
      } else {
        const box = container.getBoundingClientRect();
        zoomScroll.stepZoom(action === "in" ? 1 : -1, { x: box.width / 2, y: box.height / 2 });
      }
    });
  });
  container.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey) { return; }  // a plain wheel scrolls the page
    event.preventDefault();
    const box = container.getBoundingClientRect();
    const factor = event.deltaMode === 0 ? WHEEL_PIXEL : WHEEL_LINE;
    zoomScroll.zoom(-event.deltaY * factor, { x: event.clientX - box.left, y: event.clientY - box.top });
  }, { passive: false });
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(() => canvas.resized()).observe(container);
  }
}

async function show(root) {
  const container = root.querySelector("[data-diagram-canvas]");
  const labels = { count: root.getAttribute("data-label-count") || "{done}/{total}" };
  try {
    const response = await fetch(root.getAttribute("data-diagram-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) { throw new Error(`diagram data: HTTP ${response.status}`); }
    const data = await response.json();
    const viewer = new NavigatedViewer({ container, zoomScroll: { enabled: false } });
    await viewer.importXML(data.xml);
    fit(viewer.get("canvas"));
    markState(viewer, data.elements || {}, labels);
    wireControls(root, viewer);
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
