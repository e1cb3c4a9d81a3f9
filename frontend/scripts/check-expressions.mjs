// Check expressions with the browser's copy of the server's allowlist
// (bpmnlint-plugin-alur/lib/expressions.js): reads a JSON array of texts on stdin and prints
// a JSON array with, for each, the list of problem codes found ([] = accepted).
// Used by tests/frontend/test_lint_parity.py to hold both sides to one table.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { checkExpression } = require("bpmnlint-plugin-alur/lib/expressions.js");

const texts = JSON.parse(readFileSync(0, "utf8"));
if (!Array.isArray(texts)) {
  process.stderr.write("expected a JSON array of expression texts on stdin\n");
  process.exit(2);
}
const verdicts = texts.map((text) => checkExpression(text).map((found) => found.code));
process.stdout.write(JSON.stringify(verdicts));
