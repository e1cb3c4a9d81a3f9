/* Process data as a person reads it: the version's form labels for keys, option labels
 * for stored choices, dates and numbers as written in the reader's language, lists of rows
 * as small tables. Never raw JSON.
 *
 * Labels and options are looked up by the value's path in the data ("target.target": the
 * column "target" of the list "target"), then by its bare key, so a column is named as
 * its own field and not as the list around it. */
import { element } from "./text.js";

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const YEAR_KEY = /^tahun/;

function pathOf(parent, key) {
  return parent ? `${parent}.${key}` : String(key);
}

function isRow(item) {
  return item !== null && typeof item === "object" && !Array.isArray(item);
}

export class ValueWriter {
  constructor(view) {
    this.labels = view.labels || {};
    this.options = view.options || {};
    this.text = view.text || {};
    const locale = view.locale === "en" ? "en-GB" : "id-ID";
    this.numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    this.days = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  /** A field's label: the form's, else the key spelled as words ("akhir_periode" -> "Akhir periode"). */
  label(key, parent = "") {
    const found = this.labels[pathOf(parent, key)] || this.labels[key];
    if (found) { return found; }
    const words = String(key).replace(/_/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  isEmpty(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  /** A scalar as text. */
  scalar(key, value, parent = "") {
    if (this.isEmpty(value)) { return this.text.empty || "—"; }
    if (typeof value === "boolean") { return value ? this.text.yes : this.text.no; }
    const choices = this.options[pathOf(parent, key)] || this.options[key];
    if (choices && Object.prototype.hasOwnProperty.call(choices, String(value))) {
      return choices[String(value)];
    }
    if (typeof value === "number") {
      return YEAR_KEY.test(key) && Number.isInteger(value) ? String(value) : this.numbers.format(value);
    }
    if (typeof value === "string" && ISO_DAY.test(value)) {
      const [year, month, day] = value.split("-").map(Number);
      return this.days.format(new Date(Date.UTC(year, month - 1, day)));
    }
    return String(value);
  }

  /** A value as a node: text, a comma list, a table of rows or a nested list. */
  node(key, value, parent = "") {
    if (Array.isArray(value) && value.length && value.every(isRow)) {
      return this.table(key, value, parent);
    }
    if (Array.isArray(value)) {
      const words = value.map((item) => this.scalar(key, item, parent)).join(", ");
      return element("span", "prewrap", words || this.text.empty);
    }
    if (isRow(value)) { return this.list(value, pathOf(parent, key)); }
    return element("span", "prewrap", this.scalar(key, value, parent));
  }

  table(key, rows, parent) {
    const path = pathOf(parent, key);
    const columns = [];
    rows.forEach((row) => Object.keys(row).forEach((name) => {
      if (!columns.includes(name)) { columns.push(name); }
    }));
    const wrap = element("div", "table-wrap");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", this.label(key, parent));
    const table = element("table", "table table-compact");
    const head = table.createTHead().insertRow();
    columns.forEach((name) => {
      const cell = element("th", null, this.label(name, path));
      cell.scope = "col";
      head.appendChild(cell);
    });
    const body = table.createTBody();
    rows.forEach((row) => {
      const line = body.insertRow();
      columns.forEach((name) => { line.insertCell().appendChild(this.node(name, row[name], path)); });
    });
    wrap.appendChild(table);
    return wrap;
  }

  /** An object as a definition list, its empty values left out; `path` is where it sits. */
  list(object, path = "") {
    const list = element("dl", "audit-values");
    Object.keys(object).forEach((key) => {
      if (this.isEmpty(object[key])) { return; }
      const item = element("div", "audit-value");
      item.appendChild(element("dt", null, this.label(key, path)));
      const value = element("dd");
      value.appendChild(this.node(key, object[key], path));
      item.appendChild(value);
      list.appendChild(item);
    });
    return list;
  }
}
