/**
 * "Fit to screen" that leaves the palette free: diagram-js's fit-viewport puts the diagram
 * against the left edge, under the palette, where its first steps cannot be clicked. Here
 * the whole diagram is scaled into the part of the canvas right of the palette (never
 * above 100 %), with a margin, and placed there.
 */
const MARGIN = 24;

export function fitDiagram(modeler) {
  const canvas = modeler.get("canvas");
  const container = canvas.getContainer();
  canvas.zoom("fit-viewport", "auto");
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || !outer.width || !outer.height) return;
  const palette = container.querySelector(".djs-palette");
  const shown = palette && palette.offsetParent !== null;
  const left = shown
    ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left + MARGIN
    : MARGIN;
  const scale = Math.min((outer.width - left - MARGIN) / inner.width,
    (outer.height - 2 * MARGIN) / inner.height, 1);
  if (scale <= 0) return;
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - MARGIN / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}
