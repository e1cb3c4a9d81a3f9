/* The diff page (modeler/diff.html): two versions of a process side by side.
 *
 * The page holds a JSON block (#diff-config: the data address, every process's version
 * numbers and the texts this script shows, already translated) and the list of changes,
 * rendered by the server. This script fetches both diagrams and the changes from the data
 * address, draws each diagram in a bpmn-js NavigatedViewer, marks the elements added,
 * removed, changed or only moved (markers.js), keeps the two views together (views.js)
 * and makes each change in the list show its element in both diagrams.
 *
 * CSP (script-src 'self'; style-src 'self'): no inline scripts or style attributes;
 * markers and badges are CSS classes, and bpmn-js styles through the CSSOM, which CSP
 * allows. The bpmn.io watermark of each viewer is left exactly as bpmn-js draws it.
 */
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

import { onReady } from "../common/ready.js";
import { applyMarks, markedKinds } from "./markers.js";
import { wirePicker } from "./picker.js";
import { fitBoth, showElement, synchronize, wireWheel, zoom } from "./views.js";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./diff.css";

function readConfig() {
  const block = document.getElementById("diff-config");
  return block ? JSON.parse(block.textContent) : null;
}

async function fetchData(url) {
  const response = await fetch(url, {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) { throw new Error(`diff data: HTTP ${response.status}`); }
  return response.json();
}

function wireList(root, viewers, texts) {
  const status = root.querySelector("[data-diff-status]");
  document.querySelectorAll("[data-diff-element]").forEach((button) => {
    button.addEventListener("click", () => {
      const id = button.getAttribute("data-diff-element");
      document.querySelectorAll(".diff-change.is-current")
        .forEach((item) => item.classList.remove("is-current"));
      button.closest(".diff-change").classList.add("is-current");
      const drawn = viewers.map((viewer) => Boolean(viewer.get("elementRegistry").get(id)));
      showElement(viewers, id);
      if (status) {
        status.textContent = !drawn[0] ? texts.notInOld : (!drawn[1] ? texts.notInNew : "");
      }
      root.scrollIntoView({ block: "nearest" });
    });
  });
}

function wireZoom(root, viewers, containers) {
  root.querySelectorAll("[data-diff-zoom]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.getAttribute("data-diff-zoom");
      if (action === "fit") {
        fitBoth(viewers);  // the whole of both, however small
      } else {
        zoom(viewers[0], containers[0], action);
      }
    });
  });
  viewers.forEach((viewer, index) => wireWheel(viewer, containers[index]));
  if (typeof ResizeObserver === "function") {
    const observer = new ResizeObserver(() => viewers.forEach((v) => v.get("canvas").resized()));
    containers.forEach((container) => observer.observe(container));
  }
}

async function show(root, config) {
  const containers = ["old", "new"].map((side) => root.querySelector(`[data-diff-canvas=${side}]`));
  const viewers = containers.map((container) => new NavigatedViewer({
    container, zoomScroll: { enabled: false },
  }));
  try {
    const data = await fetchData(config.dataUrl);
    await viewers[0].importXML(data.oldXml);
    await viewers[1].importXML(data.newXml);
    const marks = markedKinds(viewers[0].getDefinitions(), viewers[1].getDefinitions(),
      data.changes);
    applyMarks(viewers[0], marks.old, config.texts);
    applyMarks(viewers[1], marks.new, config.texts);
    synchronize(viewers[0], viewers[1]);
    const first = data.changes.find((change) => change.element_id && change.kind !== "layout");
    fitBoth(viewers, first ? first.element_id : null);
    wireList(root, viewers, config.texts);
    wireZoom(root, viewers, containers);
    root.setAttribute("data-diff-state", "ready");
  } catch (error) {
    root.setAttribute("data-diff-state", "failed");
    const problem = root.querySelector("[data-diff-error]");
    if (problem) {
      problem.textContent = config.texts.failed;
      problem.hidden = false;
    }
    console.error("Alur Kinerja: the diagrams could not be compared", error);
  }
}

onReady(() => {
  const config = readConfig();
  if (!config) { return; }
  const picker = document.querySelector("[data-diff-picker]");
  if (picker) { wirePicker(picker, config.definitions || []); }
  const root = document.querySelector("[data-diff-root]");
  if (root && config.dataUrl) { show(root, config); }
});
