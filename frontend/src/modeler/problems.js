/**
 * The problems list under the canvas: what the lint finds while drawing (bpmn-js-bpmnlint's
 * `linting.completed`) and, after "Periksa di server" or a refused deploy, what the server
 * found (contract-1 problems with their `text` in the reader's language). Each entry is a
 * button: it selects its element and scrolls the canvas to it. Server problems are also
 * marked on the canvas (a marker class and a small badge), until that element changes or
 * the server is asked again.
 *
 * Deploy stays disabled while the lint reports an error; `onChange(errorCount)` tells the
 * toolbar.
 */
import { text } from "./config.js";
import { translateMessage } from "./translate.js";

const SERVER_MARKER = "alur-server-problem";

function labelOf(element, words) {
  const bo = element && element.businessObject;
  const name = bo && (bo.name || "").trim();
  if (name) return name;
  return bo ? text(words, "unnamedElement", { id: bo.id }) : "";
}

export class ProblemsPanel {
  constructor({ root, modeler, words, dictionary, onChange }) {
    this.root = root;
    this.list = root.querySelector("[data-problems-list]");
    this.summary = root.querySelector("[data-problems-summary]");
    this.modeler = modeler;
    this.words = words;
    this.dictionary = dictionary;
    this.onChange = onChange;
    this.lint = [];
    this.server = [];
    this.overlayIds = [];
    const eventBus = modeler.get("eventBus");
    eventBus.on("linting.completed", ({ issues }) => this.setLintIssues(issues));
    eventBus.on("elements.changed", ({ elements }) => this.forgetChanged(elements));
  }

  /** bpmn-js-bpmnlint's issues ({elementId: [{message, category, rule, ...}]}) as rows. */
  setLintIssues(issues) {
    const rows = [];
    for (const [id, reports] of Object.entries(issues || {})) {
      for (const report of reports) {
        rows.push({
          elementId: report.actualElementId || id,
          shownOn: id,
          category: report.category === "error" ? "error" : "warning",
          message: translateMessage(this.dictionary, report.message),
          rule: report.rule,
          source: "lint",
        });
      }
    }
    rows.sort((a, b) => (a.category === b.category ? 0 : a.category === "error" ? -1 : 1));
    this.lint = rows;
    this.render();
  }

  /** The server's problems (contract 1, with "text"); an empty list clears them. */
  setServerProblems(problems) {
    this.server = (problems || []).map((problem) => ({
      elementId: problem.element_id || null,
      shownOn: problem.element_id || null,
      category: "error",
      message: problem.text || problem.message,
      rule: problem.rule,
      source: "server",
    }));
    this.markServerProblems();
    this.render();
  }

  errorCount() {
    return this.lint.filter((row) => row.category === "error").length;
  }

  forgetChanged(elements) {
    if (!this.server.length) return;
    const changed = new Set(elements.map((element) => element.id));
    const kept = this.server.filter((row) => !row.elementId || !changed.has(row.elementId));
    if (kept.length !== this.server.length) {
      this.server = kept;
      this.markServerProblems();
      this.render();
    }
  }

  markServerProblems() {
    const canvas = this.modeler.get("canvas");
    const overlays = this.modeler.get("overlays");
    const registry = this.modeler.get("elementRegistry");
    registry.forEach((element) => canvas.removeMarker(element, SERVER_MARKER));
    this.overlayIds.forEach((id) => overlays.remove(id));
    this.overlayIds = [];
    const seen = new Set();
    for (const row of this.server) {
      const element = row.shownOn && registry.get(row.shownOn);
      if (!element || seen.has(element.id)) continue;
      seen.add(element.id);
      canvas.addMarker(element, SERVER_MARKER);
      const badge = document.createElement("span");
      badge.className = "alur-server-badge";
      badge.textContent = "!";
      badge.title = this.server.filter((r) => r.shownOn === element.id)
        .map((r) => r.message).join("\n");
      this.overlayIds.push(overlays.add(element, "alur-server", {
        position: { top: -10, left: -10 }, html: badge }));
    }
  }

  render() {
    const rows = [...this.server, ...this.lint];
    const registry = this.modeler.get("elementRegistry");
    const items = rows.map((row) => this.item(row, registry));
    this.list.replaceChildren(...items);
    const errors = rows.filter((row) => row.category === "error").length;
    const warnings = rows.length - errors;
    this.summary.textContent = rows.length
      ? text(this.words, "problemsCount", { errors, warnings })
      : text(this.words, "problemsNone");
    this.root.classList.toggle("has-errors", errors > 0);
    this.onChange(this.errorCount());
  }

  item(row, registry) {
    const li = document.createElement("li");
    li.className = `alur-problem alur-problem-${row.category}`;
    li.dataset.elementId = row.elementId || "";
    li.dataset.rule = row.rule || "";
    li.dataset.source = row.source;
    const kind = document.createElement("span");
    kind.className = "alur-problem-kind";
    kind.textContent = text(this.words, row.category === "error" ? "problemError" : "problemWarning");
    const element = row.shownOn && registry.get(row.shownOn);
    // our rules and the server name the element in their sentence; bpmnlint's do not
    const named = row.source === "server" || (row.rule || "").startsWith("alur/");
    const where = element && !named ? labelOf(registry.get(row.elementId) || element, this.words) : "";
    const body = document.createElement("span");
    body.className = "alur-problem-text";
    body.textContent = where ? `${where}: ${row.message}` : row.message;
    if (row.source === "server") {
      const from = document.createElement("span");
      from.className = "alur-problem-source";
      from.textContent = text(this.words, "problemFromServer");
      body.append(" ", from);
    }
    if (!element) {
      li.append(kind, " ", body);
      return li;
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "alur-problem-go";
    button.append(kind, " ", body);
    button.addEventListener("click", () => this.reveal(element));
    li.append(button);
    return li;
  }

  /** Select the element and bring it into view (entering its sub-process plane if need be). */
  reveal(element) {
    const canvas = this.modeler.get("canvas");
    const root = canvas.findRoot(element);
    if (root && root !== canvas.getRootElement()) canvas.setRootElement(root);
    this.modeler.get("selection").select(element);
    canvas.scrollToElement(element, { top: 80, bottom: 80, left: 80, right: 80 });
  }
}
