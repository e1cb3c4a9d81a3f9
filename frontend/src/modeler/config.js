/**
 * What the page hands the editor: the JSON block `#modeler-config` (never executed, so the
 * Content-Security-Policy needs no inline script) and the words `#modeler-words`, both
 * written by webapp/templates/modeler/editor.html with the reader's language already
 * applied. The bundle itself carries no user-facing words.
 */

function readJson(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id} block`);
  return JSON.parse(node.textContent);
}

export function readConfig() {
  const config = readJson("modeler-config");
  const words = readJson("modeler-words");
  return { ...config, words };
}

/**
 * `text(words, key, values)`: the page's sentence for `key` with `{name}` slots filled
 * filled. A missing key shows the key itself, so a gap is visible instead of blank.
 */
export function text(words, key, values = {}) {
  const template = Object.prototype.hasOwnProperty.call(words, key) ? words[key] : key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole));
}
