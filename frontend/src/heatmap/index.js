/* The heatmap page (audit/heatmap.html): a version's diagram with every step coloured by
 * its median duration relative to its Waktu.
 *
 * The page holds a JSON block (#heatmap-config: the diagram's XML, its pools, the pool each
 * call activity draws, and per activity its band, the band's word and the sentence
 * "median x HK / Waktu y HK, p90 z, n=…", all translated by the server). This script draws
 * the diagram in a bpmn-js NavigatedViewer, marks each step with its band (a CSS class:
 * fill, stroke pattern, hatching for late) and puts the word and the sentence under it, so
 * the colour is never the only sign. Everything it shows is also in the page's tables.
 *
 * CSP (script-src 'self'; style-src 'self'): no inline scripts or style attributes; markers
 * and labels are CSS classes, and bpmn-js styles through the CSSOM, which CSP allows.
 */
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";

import { onReady } from "../common/ready.js";
import { Views } from "./views.js";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "./heatmap.css";

function readConfig() {
  const block = document.getElementById("heatmap-config");
  return block ? JSON.parse(block.textContent) : null;
}

function label(info) {
  const node = document.createElement("div");
  node.className = `hm-label hm-label-${info.band}`;
  const word = document.createElement("strong");
  word.textContent = info.word;
  const text = document.createElement("span");
  text.textContent = info.text;
  node.append(word, text);
  return node;
}

/** Each step's band as a marker and its figures as an overlay under it. */
function paint(viewer, activities) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  let painted = 0;
  Object.entries(activities).forEach(([id, info]) => {
    const element = registry.get(id);
    if (!element) { return; }
    canvas.addMarker(id, `hm-${info.band}`);
    overlays.add(id, "hm-label", { position: { bottom: -4, left: -6 }, html: label(info) });
    painted += 1;
  });
  return painted;
}

async function show(root, config) {
  const container = root.querySelector("[data-heatmap-canvas]");
  try {
    const viewer = new NavigatedViewer({ container, zoomScroll: { enabled: false } });
    await viewer.importXML(config.xml);
    const painted = paint(viewer, config.activities || {});
    const views = new Views(root, viewer, config);
    views.wire();
    views.focus(views.firstView());
    root.setAttribute("data-heatmap-painted", String(painted));
    root.setAttribute("data-heatmap-state", "ready");
  } catch (error) {
    root.setAttribute("data-heatmap-state", "failed");
    const problem = root.querySelector("[data-heatmap-error]");
    if (problem) {
      problem.textContent = config.texts.failed;
      problem.hidden = false;
    }
    console.error("Alur Kinerja: the heatmap could not be drawn", error);
  }
}

onReady(() => {
  const config = readConfig();
  const root = document.querySelector("[data-heatmap-root]");
  if (config && root) { show(root, config); }
});
