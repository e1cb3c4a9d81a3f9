// Lint .bpmn files the way the modeler does (bpmnlint with src/modeler/lint/config.js) and
// print the problems as JSON: [{rule, element_id, message, category}].
//
//   node scripts/lint-file.mjs [--moddle=editor|generic] diagram.bpmn ['{"forms": ["contoh"], "laneRoles": {...}, "roles": [...], "locale": "id"}']
//
// The JSON argument is lintConfig's context. `--moddle=editor` (the default) reads the file
// as the modeler does, with its spiffworkflow descriptor (src/modeler/moddle.js: typed
// extension elements); `--moddle=generic` without one (moddle keeps them generic). With
// several files the output is {file: [problems] or {"error": why it could not be read}}.
// Used by tests/frontend/test_lint_parity.py to compare the browser's verdict with the
// server's.
import { readFileSync } from "node:fs";

import { BpmnModdle } from "bpmn-moddle";
import { Linter } from "bpmnlint";

import { lintConfig } from "../src/modeler/lint/config.js";
import { spiffDescriptor } from "../src/modeler/moddle.js";

const USAGE = "usage: lint-file.mjs [--moddle=editor|generic] <file.bpmn>... "
  + "['<lintConfig context as JSON>']";

function parseArguments(argv) {
  const flags = argv.filter((arg) => arg.startsWith("--"));
  const options = argv.filter((arg) => arg.trimStart().startsWith("{"));
  const files = argv.filter((arg) => !arg.startsWith("--") && !arg.trimStart().startsWith("{"));
  const moddle = (flags.find((flag) => flag.startsWith("--moddle=")) || "--moddle=editor").slice(9);
  const unknown = flags.filter((flag) => !flag.startsWith("--moddle="));
  if (!files.length || options.length > 1 || unknown.length || !["editor", "generic"].includes(moddle)) {
    throw new Error(USAGE);
  }
  return { files, moddle, context: options.length ? JSON.parse(options[0]) : {} };
}

/** Every problem of one file, in the order bpmnlint reports them. */
export async function lintFile(path, context, moddle = "editor") {
  const xml = readFileSync(path, "utf8");
  const extensions = moddle === "editor" ? { spiffworkflow: spiffDescriptor(xml) } : {};
  const { rootElement } = await new BpmnModdle(extensions).fromXML(xml);
  const results = await new Linter(lintConfig(context)).lint(rootElement);
  const problems = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      problems.push({
        rule, element_id: report.id ?? null, message: report.message, category: report.category,
      });
    }
  }
  return problems;
}

async function main() {
  const { files, moddle, context } = parseArguments(process.argv.slice(2));
  if (files.length === 1) {
    const problems = await lintFile(files[0], context, moddle);
    process.stdout.write(`${JSON.stringify(problems, null, 1)}\n`);
    return;
  }
  const output = {};
  for (const file of files) {
    try {
      output[file] = await lintFile(file, context, moddle);
    } catch (error) {
      output[file] = { error: error.message };
    }
  }
  process.stdout.write(`${JSON.stringify(output, null, 1)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
