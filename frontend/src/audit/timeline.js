/* The timeline beside the diagram: filters by lane, OPD, period and kind (shown only with
 * JavaScript; the server renders every line), the chosen event highlighted and brought into
 * view inside the list, and each line's number moving the slider to it. */
import { fill } from "./text.js";

const FILTERS = ["lane", "opd", "period", "kind"];

export class Timeline {
  constructor(root, view, onChoose) {
    this.root = root;
    this.text = view.text || {};
    this.list = root.querySelector("[data-timeline]");
    this.lines = Array.from(this.list.children);
    this.bySeq = new Map(this.lines.map((line) => [Number(line.getAttribute("data-seq")), line]));
    this.current = null;
    this.form = root.querySelector("[data-timeline-filters]");
    this.count = root.querySelector("[data-filter-count]");
    this.form.hidden = false;
    this.form.addEventListener("change", () => this.filter());
    this.form.addEventListener("submit", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-goto]");
      if (button) { onChoose(Number(button.getAttribute("data-goto"))); }
    });
  }

  /** What line k says happened, for the slider's and the live region's words. */
  summary(k) {
    const line = this.bySeq.get(k);
    const what = line && line.querySelector("[data-line-what]");
    return what ? what.textContent.replace(/\s+/g, " ").trim() : "";
  }

  filter() {
    const wanted = {};
    FILTERS.forEach((name) => {
      wanted[name] = this.form.querySelector(`[data-filter=${name}]`).value;
    });
    let shown = 0;
    this.lines.forEach((line) => {
      const keep = FILTERS.every((name) => !wanted[name] || line.getAttribute(`data-${name}`) === wanted[name]);
      line.hidden = !keep;
      if (keep) { shown += 1; }
    });
    this.count.textContent = fill(this.text.shown, { shown, total: this.lines.length });
  }

  highlight(k) {
    const line = this.bySeq.get(k);
    if (this.current === line) { return; }
    if (this.current) {
      this.current.classList.remove("audit-current");
      this.current.removeAttribute("aria-current");
    }
    this.current = line || null;
    if (!line) { return; }
    line.classList.add("audit-current");
    line.setAttribute("aria-current", "step");
    this.reveal(line);
  }

  /** Scroll the list (not the page: on a phone the list is below the slider) to the line. */
  reveal(line) {
    const list = this.list;
    if (line.hidden || list.scrollHeight <= list.clientHeight + 1) { return; }
    const top = line.offsetTop;  // the list is positioned (audit.css): relative to it
    const bottom = top + line.offsetHeight;
    if (top < list.scrollTop || bottom > list.scrollTop + list.clientHeight) {
      list.scrollTop = Math.max(0, top - (list.clientHeight - line.offsetHeight) / 2);
    }
  }
}
