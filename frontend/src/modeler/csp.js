/**
 * Inline `style="..."` in markup, made CSP-safe for this page.
 *
 * The page's policy is style-src 'self': the browser refuses style attributes parsed from
 * markup (and logs each refusal as a console error). Some of the bpmn.io libraries build
 * their DOM from HTML strings that carry a style attribute: the properties panel's two
 * containers, the align-elements icons of the context pad, token simulation's coloured
 * scopes. Styles set through the CSSOM (`element.style`) are not inline markup and are
 * allowed, so while this page runs, markup given to `innerHTML` has its style attributes
 * lifted out before parsing and applied through `element.style.cssText` afterwards: the
 * same rendering, no refusal, and the policy stays strict (no 'unsafe-inline').
 */

const MARK = "data-alur-style";
const STYLE_ATTRIBUTE = /(<[A-Za-z][^<>]*?\s)style\s*=\s*("([^"]*)"|'([^']*)')/g;

function lift(markup) {
  return markup.replace(STYLE_ATTRIBUTE, (whole, head, quoted, double, single) => {
    const value = (double ?? single ?? "").replace(/"/g, "&quot;");
    return `${head}${MARK}="${value}"`;
  });
}

function applyLifted(root) {
  root.querySelectorAll(`[${MARK}]`).forEach((element) => {
    element.style.cssText = element.getAttribute(MARK);
    element.removeAttribute(MARK);
  });
}

export function installStyleAttributeShim() {
  const descriptor = Object.getOwnPropertyDescriptor(Element.prototype, "innerHTML");
  if (!descriptor || descriptor.set.alurShim) return;
  const set = function setInnerHTML(value) {
    const markup = String(value);
    if (!markup.includes("style")) {
      descriptor.set.call(this, value);
      return;
    }
    descriptor.set.call(this, lift(markup));
    applyLifted(this);
  };
  set.alurShim = true;
  Object.defineProperty(Element.prototype, "innerHTML", { ...descriptor, set });
}
