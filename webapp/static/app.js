/* Alur Kinerja: small enhancements of server-rendered pages (no inline scripts: CSP).
 *
 * - dynamic lists: "Tambah baris" clones the row <template>, numbering its __ROWn__ tokens;
 *   "Hapus baris" removes a row (the server closes the gaps in the numbering);
 * - conditions: fields with data-hide-if are shown or hidden as the user types, with the
 *   same FEEL subset the server understands (comparisons, and/or/not(), literals);
 *   hidden inputs are disabled so they are not sent; the server re-checks everything;
 * - filter selects marked data-autosubmit submit their form on change.
 */
(function () {
  "use strict";

  /* ---------- conditions (mirror of engine/forms/conditions.py) ---------- */

  var TOKEN = /\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|!=|<=|>=|[=<>()]|[A-Za-z_]\w*)/y;
  var NUMBER = /^-?\d+(?:\.\d+)?$/;
  var NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
  var LITERALS = { "true": true, "false": false, "null": null };
  var KEYWORDS = { "and": 1, "or": 1, "not": 1 };
  var COMPARISONS = { "=": 1, "!=": 1, "<": 1, "<=": 1, ">": 1, ">=": 1 };
  var parsed = {};

  function tokenize(text) {
    var tokens = [], pos = 0, match;
    text = text.replace(/\s+$/, "");
    while (pos < text.length) {
      TOKEN.lastIndex = pos;
      match = TOKEN.exec(text);
      if (!match) { throw new Error("cannot read condition"); }
      tokens.push(match[1]);
      pos = TOKEN.lastIndex;
    }
    return tokens;
  }

  function parse(expression) {
    if (parsed[expression] !== undefined) { return parsed[expression]; }
    var tokens = tokenize(expression.slice(1)), pos = 0;
    function peek() { return pos < tokens.length ? tokens[pos] : null; }
    function take(expected) {
      var token = peek();
      if (token === null || (expected && token !== expected)) { throw new Error("bad condition"); }
      pos += 1;
      return token;
    }
    function chain(word, inner) {
      var parts = [inner()];
      while (peek() === word) { take(); parts.push(inner()); }
      return parts.length === 1 ? parts[0] : [word].concat(parts);
    }
    function disjunction() { return chain("or", conjunction); }
    function conjunction() { return chain("and", negation); }
    function negation() {
      if (peek() === "not" || peek() === "(") {
        var negate = take() === "not";
        if (negate) { take("("); }
        var inner = disjunction();
        take(")");
        return negate ? ["not", inner] : inner;
      }
      var left = operand();
      if (COMPARISONS[peek()]) { var op = take(); return [op, left, operand()]; }
      return ["=", left, ["lit", true]];
    }
    function operand() {
      var token = take();
      if (token.charAt(0) === '"') { return ["lit", JSON.parse(token)]; }
      if (Object.prototype.hasOwnProperty.call(LITERALS, token)) { return ["lit", LITERALS[token]]; }
      if (NUMBER.test(token)) { return ["lit", Number(token)]; }
      if (NAME.test(token) && !KEYWORDS[token]) { return ["name", token]; }
      throw new Error("bad operand");
    }
    var tree = disjunction();
    if (peek() !== null) { throw new Error("trailing tokens"); }
    parsed[expression] = tree;
    return tree;
  }

  function evaluate(tree, lookup) {
    var head = tree[0];
    if (head === "lit") { return tree[1]; }
    if (head === "name") { return lookup(tree[1]); }
    if (head === "not") { return !evaluate(tree[1], lookup); }
    if (head === "and" || head === "or") {
      var results = tree.slice(1).map(function (part) { return evaluate(part, lookup) === true; });
      return head === "and" ? results.every(Boolean) : results.some(Boolean);
    }
    var left = evaluate(tree[1], lookup), right = evaluate(tree[2], lookup);
    if (head === "=" || head === "!=") { return (equal(left, right)) === (head === "="); }
    if (typeof left !== "number" || typeof right !== "number") { return false; }
    return { "<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right }[head];
  }

  function equal(a, b) {
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.length === b.length && a.every(function (v, i) { return v === b[i]; });
    }
    return a === b;
  }

  /* The value a name has for an element: innermost data-scope first, as on the server. */
  function valueOf(form, name) {
    var inputs = Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
    if (!inputs.length) { return undefined; }
    var first = inputs[0];
    if (first.type === "checkbox" && inputs.length === 1 && !first.closest(".choices")) {
      return first.checked;
    }
    if (first.type === "checkbox") {
      return inputs.filter(function (el) { return el.checked; }).map(typed);
    }
    if (first.type === "radio") {
      var chosen = inputs.filter(function (el) { return el.checked; })[0];
      return chosen ? typed(chosen) : null;
    }
    return typed(first);
  }

  function typed(el) {
    var raw = el.value;
    if (el.tagName === "SELECT" && el.selectedOptions.length) {
      el = el.selectedOptions[0];
    }
    if (typeof raw === "string" && raw.trim() === "") { return null; }
    if ((el.type === "number" || el.hasAttribute("data-number")) && NUMBER.test(raw.trim())) {
      return Number(raw);
    }
    return typeof raw === "string" ? raw.trim() : raw;
  }

  function lookupFor(form, element) {
    return function (name) {
      var scope = element.parentElement ? element.parentElement.closest("[data-scope]") : null;
      while (scope) {
        var prefix = scope.getAttribute("data-scope");
        var value = valueOf(form, prefix ? prefix + "[" + name + "]" : name);
        if (value !== undefined) { return value; }
        scope = scope.parentElement ? scope.parentElement.closest("[data-scope]") : null;
      }
      return null;
    };
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-hide-if]").forEach(function (element) {
      var hide = false;
      try {
        hide = evaluate(parse(element.getAttribute("data-hide-if")), lookupFor(form, element)) === true;
      } catch (error) {
        hide = false;  /* the server refuses unreadable conditions at deploy */
      }
      element.hidden = hide;
    });
    form.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (input.type === "hidden" || input.hasAttribute("data-locked")) { return; }
      input.disabled = Boolean(input.closest("[hidden]"));
    });
  }

  /* ---------- dynamic lists ---------- */

  function renumber(list) {
    var rows = list.querySelector("[data-rows]").children;
    Array.prototype.forEach.call(rows, function (row, index) {
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = String(index + 1); }
    });
  }

  function fillTokens(node, token, index) {
    node.querySelectorAll("*").forEach(function (el) {
      ["name", "id", "for", "aria-describedby", "data-scope"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf(token) !== -1) { el.setAttribute(attr, value.split(token).join(index)); }
      });
      if (el.tagName === "TEMPLATE") { fillTokens(el.content, token, index); }
    });
  }

  function addRow(list) {
    var template = list.querySelector(":scope > template[data-row-template]");
    var index = Number(list.getAttribute("data-next-index") || "0");
    var token = "__ROW" + list.getAttribute("data-depth") + "__";
    var fragment = template.content.cloneNode(true);
    fillTokens(fragment, token, String(index));
    list.setAttribute("data-next-index", String(index + 1));
    var row = fragment.querySelector("[data-row]");
    list.querySelector(":scope > [data-rows]").appendChild(fragment);
    renumber(list);
    var first = row && row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  function removeRow(button) {
    var row = button.closest("[data-row]");
    var list = row.closest("[data-dynlist]");
    row.remove();
    renumber(list);
    var add = list.querySelector(":scope > [data-add-row]");
    if (add) { add.focus(); }
  }

  /* ---------- wiring ---------- */

  function lockReadonly(form) {
    form.querySelectorAll("input:disabled, select:disabled, textarea:disabled").forEach(function (el) {
      if (!el.closest("[hidden]")) { el.setAttribute("data-locked", ""); }
    });
  }

  function enhanceForm(form) {
    lockReadonly(form);
    applyConditions(form);
    form.addEventListener("input", function () { applyConditions(form); });
    form.addEventListener("change", function () { applyConditions(form); });
    form.addEventListener("click", function (event) {
      var add = event.target.closest("[data-add-row]");
      var remove = event.target.closest("[data-remove-row]");
      if (add) { addRow(add.closest("[data-dynlist]")); applyConditions(form); }
      if (remove) { removeRow(remove); applyConditions(form); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (form.querySelector("[data-scope]")) { enhanceForm(form); }
    });
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  });
})();
