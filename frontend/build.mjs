// Bundle the browser code into webapp/static/dist: one entry per page that needs JavaScript
// (src/<page>/index.js, shared pieces in src/common/), each giving one .js and, when it imports
// CSS, one .css. `npm run build` for minified bundles; `npm run build -- --dev` keeps them readable.
import { build } from "esbuild";
import { onePreactForFormJs } from "./src/formeditor/one-preact.mjs";
import { fileURLToPath } from "node:url";

const dev = process.argv.includes("--dev");
const outdir = fileURLToPath(new URL("../webapp/static/dist", import.meta.url));

// output name -> entry. The viewer keeps its older output name, dist/diagram.{js,css}.
const entryPoints = {
  diagram: "src/viewer/index.js",   // the run's diagram (inbox/instance.html)
  forms: "src/forms/index.js",      // task and start forms (inbox/task.html, inbox/start.html)
  filters: "src/filters/index.js",  // list filters that submit on change (inbox/index.html)
  task: "src/task/index.js",        // inbox and task page styles, confirm dialog (inbox/task.html)
  page: "src/page/index.js",        // every page (base.html): error summaries, text areas
  modeler: "src/modeler/index.js",  // the diagram editor (modeler/editor.html)
  formeditor: "src/formeditor/index.js", // the form editor (modeler/form_editor.html)
  diff: "src/diff/index.js",        // two versions side by side (modeler/diff.html)
  audit: "src/audit/index.js",      // one run's replay on its diagram (audit/history.html)
  heatmap: "src/heatmap/index.js",  // a version's durations against Waktu (audit/heatmap.html)
  apidocs: "src/apidocs/index.js",  // the API's OpenAPI document in swagger-ui (api/docs.html)
  packageimport: "src/packageimport/index.js", // SIRUP import with progress (reports/package_import.html)
  dashboard: "src/dashboard/index.js", // the overseers' charts with Chart.js (reports/dashboard.html)
};

await build({
  entryPoints,
  bundle: true,
  format: "iife",
  target: ["es2020"],
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  legalComments: "linked",
  outdir,
  logLevel: "info",
  // form-js-editor pins an older preact than form-js-viewer: one copy for both (see the plugin)
  plugins: [onePreactForFormJs()],
  absWorkingDir: fileURLToPath(new URL(".", import.meta.url)),
});
