/* Two viewers that move as one: panning or zooming either moves the other to the same
 * place (same diagram coordinates, same scale), so an element stands at the same spot in
 * both. Zoom buttons and Ctrl + wheel act on one viewer and the other follows; a plain
 * wheel scrolls the page, as on the run's diagram. */
import { getBBox } from "diagram-js/lib/util/Elements";

const WHEEL_PIXEL = 0.015;
const WHEEL_LINE = 0.24;
const PADDING = 30;
const TOO_SMALL = 0.4;  // a whole diagram fitted below this scale cannot be read (a phone) ...
const READABLE = 0.7;  // ... so it is shown at this scale instead, centred on the first change
const CLOSE_ENOUGH = 0.6;  // choosing a change zooms in to at least this scale

function place(viewer, x, y, scale) {
  const canvas = viewer.get("canvas");
  const outer = canvas.getSize();
  canvas.viewbox({ x, y, width: outer.width / scale, height: outer.height / scale });
}

/** Keep the two viewers on the same place and scale. */
export function synchronize(first, second) {
  let busy = false;
  const follow = (from, to) => from.on("canvas.viewbox.changed", ({ viewbox }) => {
    if (busy) { return; }
    busy = true;
    try {
      place(to, viewbox.x, viewbox.y, viewbox.scale);
    } finally {
      busy = false;
    }
  });
  follow(first, second);
  follow(second, first);
}

function union(boxes) {
  const real = boxes.filter((box) => box && box.width > 0 && box.height > 0);
  if (!real.length) { return { x: 0, y: 0, width: 100, height: 100 }; }
  const x = Math.min(...real.map((b) => b.x));
  const y = Math.min(...real.map((b) => b.y));
  const right = Math.max(...real.map((b) => b.x + b.width));
  const bottom = Math.max(...real.map((b) => b.y + b.height));
  return { x, y, width: right - x, height: bottom - y };
}

function centreOn(viewer, box, scale) {
  const outer = viewer.get("canvas").getSize();
  const width = outer.width / scale;
  const height = outer.height / scale;
  place(viewer, box.x + box.width / 2 - width / 2, box.y + box.height / 2 - height / 2, scale);
}

/** Show both diagrams whole. On first showing (`focusId` given), a diagram that would be
 * too small to read is shown readable instead, centred on that element. */
export function fitBoth(viewers, focusId) {
  const [lead] = viewers;
  const inner = union(viewers.map((viewer) => viewer.get("canvas").viewbox().inner));
  const box = { x: inner.x - PADDING, y: inner.y - PADDING,
    width: inner.width + 2 * PADDING, height: inner.height + 2 * PADDING };
  const outer = lead.get("canvas").getSize();
  const scale = Math.min(outer.width / box.width, outer.height / box.height);
  if (scale >= TOO_SMALL || focusId === undefined) {
    centreOn(lead, box, scale);
    return;
  }
  const target = focusId ? elementIn(viewers, focusId) : null;
  if (target) {
    centreOn(lead, getBBox(target.element), READABLE);
  } else {
    place(lead, box.x, box.y, READABLE);
  }
}

function elementIn(viewers, id) {
  for (const viewer of viewers) {
    const element = viewer.get("elementRegistry").get(id);
    if (element) { return { viewer, element }; }
  }
  return null;
}

/** Select the element in every viewer that draws it and bring it to the middle. */
export function showElement(viewers, id) {
  const found = elementIn(viewers, id);
  viewers.forEach((viewer) => {
    const element = viewer.get("elementRegistry").get(id);
    viewer.get("selection").select(element || null);
  });
  if (!found) { return false; }
  const scale = Math.max(found.viewer.get("canvas").viewbox().scale, CLOSE_ENOUGH);
  centreOn(found.viewer, getBBox(found.element), scale);
  return true;
}

export function zoom(viewer, container, action) {
  const box = container.getBoundingClientRect();
  viewer.get("zoomScroll").stepZoom(action === "in" ? 1 : -1,
    { x: box.width / 2, y: box.height / 2 });
}

export function wireWheel(viewer, container) {
  container.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey) { return; }
    event.preventDefault();
    const box = container.getBoundingClientRect();
    const factor = event.deltaMode === 0 ? WHEEL_PIXEL : WHEEL_LINE;
    viewer.get("zoomScroll").zoom(-event.deltaY * factor,
      { x: event.clientX - box.left, y: event.clientY - box.top });
  }, { passive: false });
}
