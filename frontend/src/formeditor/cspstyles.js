/**
 * CodeMirror's styles without a <style> element, so the page keeps `style-src 'self'`.
 *
 * form-js-editor's properties panel edits labels and conditions in CodeMirror 6, which
 * mounts its base theme through style-mod. For a ShadowRoot style-mod uses a constructed
 * stylesheet (document.adoptedStyleSheets, which the CSP does not govern); for the main
 * document it writes a <style> element instead, which the CSP blocks (a console error each
 * time, and an editor without its base styles). Here every mount on the document goes
 * through a stand-in root without `head`, so style-mod takes its constructed-stylesheet
 * path and adopts the sheet into the document. Nothing else of style-mod changes. Import
 * this before anything that creates a CodeMirror view.
 */
import { StyleModule } from "style-mod";

const adoptingRoot = {
  ownerDocument: document,
  get adoptedStyleSheets() { return document.adoptedStyleSheets; },
  set adoptedStyleSheets(sheets) { document.adoptedStyleSheets = sheets; },
};

const mount = StyleModule.mount;
if ("adoptedStyleSheets" in document && typeof CSSStyleSheet === "function") {
  StyleModule.mount = function mountAdopted(root, modules, options) {
    return mount.call(this, root === document ? adoptingRoot : root, modules, options);
  };
}
