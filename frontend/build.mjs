// Bundle the browser code into webapp/static/dist (one .js and one .css per entry).
// `npm run build` for a minified bundle; `npm run build -- --dev` keeps it readable.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const dev = process.argv.includes("--dev");
const outdir = fileURLToPath(new URL("../webapp/static/dist", import.meta.url));

await build({
  entryPoints: { diagram: "src/diagram.js" },
  bundle: true,
  format: "iife",
  target: ["es2020"],
  minify: !dev,
  sourcemap: dev ? "inline" : false,
  legalComments: "linked",
  outdir,
  logLevel: "info",
  absWorkingDir: fileURLToPath(new URL(".", import.meta.url)),
});
