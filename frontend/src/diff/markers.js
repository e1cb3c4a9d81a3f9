/* Which element of which diagram is marked how: added, removed, changed or layout-only.
 *
 * Two sources agree here. bpmn-js-differ compares the two diagrams' moddle definitions
 * (what bpmn-js read), and the server's list (engine/services/diffs.py) adds what only it
 * knows: a form's fields changed on the step that shows the form, a lane's role. An
 * element keeps its strongest mark: a real change outranks "only moved".
 *
 * A mark is never colour alone: each kind has its own stroke pattern (see diff.css) and a
 * badge with its symbol and, for assistive technology, its name.
 */
import { diff } from "bpmn-js-differ";

export const KINDS = ["added", "removed", "changed", "layout"];
const SYMBOLS = { added: "+", removed: "\u2212", changed: "~", layout: "\u2194" };
const RANK = { layout: 1, changed: 2, added: 3, removed: 3 };

function put(map, id, kind) {
  if (!id) { return; }
  const known = map.get(id);
  if (!known || RANK[kind] > RANK[known]) { map.set(id, kind); }
}

/** {old: Map(id -> kind), new: Map(id -> kind)} from the differ and the server's changes. */
export function markedKinds(oldDefinitions, newDefinitions, changes) {
  const marks = { old: new Map(), new: new Map() };
  const found = diff(oldDefinitions, newDefinitions);
  Object.keys(found._removed).forEach((id) => put(marks.old, id, "removed"));
  Object.keys(found._added).forEach((id) => put(marks.new, id, "added"));
  Object.keys(found._changed).forEach((id) => {
    put(marks.old, id, "changed");
    put(marks.new, id, "changed");
  });
  Object.keys(found._layoutChanged).forEach((id) => {
    put(marks.old, id, "layout");
    put(marks.new, id, "layout");
  });
  changes.forEach((change) => {
    if (change.kind !== "added") { put(marks.old, change.element_id, change.kind); }
    if (change.kind !== "removed") { put(marks.new, change.element_id, change.kind); }
  });
  return marks;
}

function badge(kind, texts) {
  const node = document.createElement("span");
  node.className = `diff-badge diff-badge-${kind}`;
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", texts[kind]);
  node.title = texts[kind];
  node.textContent = SYMBOLS[kind];
  return node;
}

/** Put each mark on its element (a CSS class and a badge); elements not drawn are skipped. */
export function applyMarks(viewer, marks, texts) {
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  const overlays = viewer.get("overlays");
  marks.forEach((kind, id) => {
    const element = registry.get(id);
    if (!element || element.type === "bpmn:Process" || element.type === "bpmn:Collaboration") {
      return;
    }
    canvas.addMarker(id, `diff-${kind}`);
    if (element.waypoints) { return; }  // flows keep only their pattern: a badge would hide them
    overlays.add(id, "diff-badge", {
      position: { top: -10, right: 10 },  // clear of the task's own icon at the top left
      html: badge(kind, texts),
    });
  });
}
