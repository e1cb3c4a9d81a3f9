/* Which part of the heatmap's diagram is shown: one pool (the main process first) or the
 * whole diagram, zoom buttons, Ctrl + wheel (a plain wheel scrolls the page), and a click
 * on a call activity shows the pool it calls. On a narrow screen a pool is not shrunk
 * below a readable scale: the view starts at its top left and the canvas pans. */

import { markPressed, stepZoom } from "../common/diagramview.js";

const WHEEL_PIXEL = 0.015;
const WHEEL_LINE = 0.24;
const PADDING = 30;  // diagram units around a shown pool
const TOO_SMALL = 0.45;  // a pool fitted below this scale cannot be read (a phone) ...
const READABLE = 0.7;  // ... so it is shown at this scale instead

export class Views {
  constructor(root, viewer, config) {
    this.root = root;
    this.viewer = viewer;
    this.config = config;
    this.container = root.querySelector("[data-heatmap-canvas]");
    this.target = "all";
  }

  firstView() {
    const pressed = this.root.querySelector("[data-heatmap-focus][aria-pressed=true]");
    return pressed ? pressed.getAttribute("data-heatmap-focus") : "all";
  }

  /** The box to show for `target` (a participant id, or "all"), never unreadable. */
  frame(target) {
    const canvas = this.viewer.get("canvas");
    const outer = canvas.getSize();
    const pool = target === "all" ? null : this.viewer.get("elementRegistry").get(target);
    const inner = pool || canvas.viewbox().inner;
    const box = { x: inner.x - PADDING, y: inner.y - PADDING,
      width: inner.width + 2 * PADDING, height: inner.height + 2 * PADDING };
    let scale = Math.min(outer.width / box.width, outer.height / box.height);
    if (scale < TOO_SMALL) {
      scale = READABLE;
      return { x: box.x, y: box.y, width: outer.width / scale, height: outer.height / scale };
    }
    const width = outer.width / scale;
    return { x: box.x + box.width / 2 - width / 2, y: box.y, width, height: outer.height / scale };
  }

  focus(target) {
    this.target = target;
    this.viewer.get("canvas").viewbox(this.frame(target));
    markPressed(this.root, "[data-heatmap-focus]", "data-heatmap-focus", target);
  }

  zoom(action) {
    if (action === "fit") {
      this.focus(this.target);
      return;
    }
    stepZoom(this.viewer, this.container, action);
  }

  wire() {
    this.root.querySelectorAll("[data-heatmap-focus]").forEach((button) => {
      button.addEventListener("click", () => this.focus(button.getAttribute("data-heatmap-focus")));
    });
    this.root.querySelectorAll("[data-heatmap-zoom]").forEach((button) => {
      button.addEventListener("click", () => this.zoom(button.getAttribute("data-heatmap-zoom")));
    });
    this.viewer.on("element.click", (event) => {
      const pool = (this.config.calls || {})[event.element.id];
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
      if (!event.ctrlKey && !event.metaKey) { return; }
      event.preventDefault();
      const box = this.container.getBoundingClientRect();
      const factor = event.deltaMode === 0 ? WHEEL_PIXEL : WHEEL_LINE;
      zoomScroll.zoom(-event.deltaY * factor,
        { x: event.clientX - box.left, y: event.clientY - box.top });
    }, { passive: false });
  }
}
