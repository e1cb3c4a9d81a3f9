/* "Data pada langkah k": the process data after event k (the run's, then each OPD's) and
 * what event k changed, field by field, before -> after. */
import { element, fill } from "./text.js";

export class DataPanel {
  constructor(root, view, writer) {
    this.root = root;
    this.text = view.text || {};
    this.opds = view.opds || {};
    this.writer = writer;
    this.title = root.querySelector("[data-data-title]");
    this.changesBox = root.querySelector("[data-data-changes]");
    this.nowBox = root.querySelector("[data-data-now]");
    root.hidden = false;
  }

  show(k, event, state) {
    this.title.textContent = fill(this.text.data_title, { k });
    this.changesBox.replaceChildren(this.changes(k, event ? event.changes || [] : []));
    this.nowBox.replaceChildren(this.current(state));
  }

  scopeName(scope) {
    return scope ? fill(this.text.opd, { opd: this.opds[scope] || scope }) : this.text.process;
  }

  changes(k, changes) {
    const box = element("div", "audit-changes");
    box.appendChild(element("h4", null, fill(this.text.changes, { k })));
    if (!changes.length) {
      box.appendChild(element("p", "muted small", this.text.no_changes));
      return box;
    }
    const list = element("ul", "audit-change-list");
    changes.forEach((change) => {
      const item = element("li", "audit-change");
      item.setAttribute("data-testid", "data-change");
      const head = element("p", "audit-change-head");
      head.appendChild(element("strong", null, this.writer.label(change.key)));
      head.appendChild(element("span", "muted small", ` · ${this.scopeName(change.scope)}`));
      item.appendChild(head);
      const pair = element("div", "audit-change-pair");
      pair.appendChild(this.side(this.text.before, change.key, change.before, "audit-before"));
      pair.appendChild(element("span", "audit-arrow", "→"));
      pair.appendChild(this.side(this.text.after, change.key, change.after, "audit-after"));
      item.appendChild(pair);
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  side(caption, key, value, className) {
    const box = element("div", className);
    box.appendChild(element("span", "audit-side-caption", caption));
    box.appendChild(this.writer.node(key, value));
    return box;
  }

  current(state) {
    const box = element("div", "audit-data-now");
    box.appendChild(this.section(this.text.process, state.process));
    Object.keys(state.opd).sort((a, b) => (this.opds[a] || a).localeCompare(this.opds[b] || b))
      .forEach((code) => box.appendChild(this.section(this.scopeName(code), state.opd[code])));
    return box;
  }

  section(title, values) {
    const box = element("details", "audit-data-section");
    box.open = true;
    box.appendChild(element("summary", null, title));
    const filled = Object.keys(values).some((key) => !this.writer.isEmpty(values[key]));
    box.appendChild(filled ? this.writer.list(values) : element("p", "muted small", this.text.no_data));
    return box;
  }
}
