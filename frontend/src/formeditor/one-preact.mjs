// An esbuild plugin for the form editor's bundle (used by frontend/build.mjs, not shipped to
// the browser): one Preact for @bpmn-io/form-js-editor and @bpmn-io/form-js-viewer.
//
// The editor (1.23.0) pins preact ">=10.5.14 <=10.15.1" and gets a copy of its own
// (node_modules/@bpmn-io/form-js-editor/node_modules/preact), while the viewer (^10.5.14)
// resolves to the top-level preact that diagram-js-ui (^10.29.2) pulls in. The editor's canvas
// renders the viewer's components, so with two copies their hooks run outside any component
// ("Cannot read properties of undefined (reading 'context')") and the editor stays blank.
// Every `preact` import from either package is resolved from the editor's folder instead, so
// both get the editor's copy (a version the viewer's range accepts); nothing else changes.
// When npm dedupes Preact one day, the editor has no copy of its own and this does nothing.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const FORM_JS = /[\\/]node_modules[\\/]@bpmn-io[\\/]form-js-(viewer|editor)[\\/]/;

export function onePreactForFormJs() {
  const editorDir = fileURLToPath(
    new URL("../../node_modules/@bpmn-io/form-js-editor/", import.meta.url));
  const ownCopy = `${editorDir}node_modules/preact/package.json`;
  return {
    name: "one-preact-for-form-js",
    setup(build) {
      build.onResolve({ filter: /^preact(\/.*)?$/ }, (args) => {
        if (!FORM_JS.test(args.importer) || !existsSync(ownCopy)) { return undefined; }
        return build.resolve(args.path, { kind: args.kind, resolveDir: editorDir });
      });
    },
  };
}
