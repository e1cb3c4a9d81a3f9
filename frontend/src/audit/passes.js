/* A step's passes beside the diagram: the server-rendered table of the "Steps and their
 * passes" card (one <details data-activity=...> per step), copied into the panel under the
 * canvas when the step is chosen on the diagram. Close (or Esc) hides it again. */
import { fill } from "./text.js";

export class PassesPanel {
  constructor(root, view) {
    this.root = root;
    this.text = view.text || {};
    this.title = root.querySelector("[data-passes-title]");
    this.body = root.querySelector("[data-passes-body]");
    root.querySelector("[data-passes-close]").addEventListener("click", () => this.close());
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { this.close(); }
    });
  }

  open(elementId) {
    const source = Array.from(document.querySelectorAll("[data-activity]"))
      .find((item) => item.getAttribute("data-activity") === elementId);
    if (!source) { return; }
    const name = source.querySelector(".audit-step-name");
    this.title.textContent = fill(this.text.passes_of, { name: name ? name.textContent : "" });
    const table = source.querySelector(".table-wrap");
    this.body.replaceChildren(table ? table.cloneNode(true) : document.createTextNode(this.text.no_passes));
    this.root.hidden = false;
    this.root.focus();
  }

  close() {
    this.root.hidden = true;
  }
}
