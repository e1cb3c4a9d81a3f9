// What the diagram pages (a run's diagram, the heatmap) share about moving their view:
// which focus button is pressed, and a zoom step about the middle of the canvas.

/** Mark the buttons matching `selector` pressed when their `attribute` names `target`. */
export function markPressed(root, selector, attribute, target) {
  root.querySelectorAll(selector).forEach((button) => {
    const pressed = button.getAttribute(attribute) === target;
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
  });
}

/** One zoom step in or out, about the centre of `container` (bpmn-js zoomScroll). */
export function stepZoom(viewer, container, action) {
  const box = container.getBoundingClientRect();
  viewer.get("zoomScroll").stepZoom(action === "in" ? 1 : -1,
    { x: box.width / 2, y: box.height / 2 });
}
