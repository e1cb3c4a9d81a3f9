/**
 * The bpmn.io icon font (palette, context pad, replace menu), loaded without a font URL.
 *
 * The page's policy allows fonts only from our own origin, and the build has no file
 * loader for fonts, so the font's bytes are bundled (esbuild's `with { type: "bytes" }`)
 * and handed to the FontFace API, which fetches nothing. modeler.css carries the rule that
 * puts the font on `.bpmn-icon-*`; bpmn-codes.css maps each icon to its glyph.
 */
import woff2 from "bpmn-js/dist/assets/bpmn-font/font/bpmn.woff2" with { type: "bytes" };

export function loadIconFont() {
  if (typeof FontFace === "undefined" || !document.fonts) return;
  const face = new FontFace("bpmn", woff2, { style: "normal", weight: "normal" });
  document.fonts.add(face);
  face.load().catch(() => {});  // without it the icons fall back to their titles' boxes
}
