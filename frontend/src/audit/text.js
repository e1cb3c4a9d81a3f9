/* The page's sentences (#history-view "text", translated by the server) with their
 * %(name)s placeholders filled in. */

export function fill(template, values) {
  return String(template || "").replace(/%\((\w+)\)s/g,
    (whole, name) => (values[name] === undefined ? whole : String(values[name])));
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) { node.className = className; }
  if (text !== undefined && text !== null) { node.textContent = text; }
  return node;
}
