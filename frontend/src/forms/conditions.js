/* The FEEL subset that form-js writes for `conditional.hide` and `readonly`: comparisons,
 * and/or, not() and literals, evaluated against the values of a form.
 *
 * A port of engine/forms/conditions.py, which is the authority: the server evaluates every
 * condition again on submit, so the page only has to agree with it. Both are run over the
 * same table of cases, tests/fixtures/form-conditions.json (frontend/test/, tests/engine/forms/).
 * No DOM here: the page hands in a lookup for the names.
 */

// Python's whitespace (str.isspace, str.strip and \s in its re module). JavaScript's \s and
// trim() lack \x1c-\x1f and \x85 and add \ufeff, so the set is spelled out.
const SPACES = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
  + "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
const SPACE = `[${[...SPACES].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}]`;
const IS_SPACE = new RegExp(`^${SPACE}$`);
const TOKEN = new RegExp(
  `${SPACE}*("(?:[^"\\\\]|\\\\[^\\n])*"|-?[0-9]+(?:\\.[0-9]+)?|!=|<=|>=|[=<>()]|[A-Za-z_][A-Za-z0-9_]*)`,
  "y",
);
const NUMBER = /^-?[0-9]+(?:\.[0-9]+)?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LITERALS = new Map([["true", true], ["false", false], ["null", null]]);
const KEYWORDS = new Set(["and", "or", "not"]);
const COMPARISONS = new Set(["=", "!=", "<", "<=", ">", ">="]);
const CACHE_SIZE = 1024;
const parsed = new Map();

/** A condition outside the subset (the server refuses such a form when it is deployed). */
export class ConditionError extends Error {
  constructor(message) {
    super(message);
    this.name = "ConditionError";
  }
}

/** Parse '=a = "x" and not(b = null)' into an array tree; throws ConditionError outside the subset. */
export function parseCondition(expression) {
  if (parsed.has(expression)) { return parsed.get(expression); }
  if (typeof expression !== "string" || !expression.startsWith("=")) {
    throw new ConditionError("a condition starts with '='");
  }
  const parser = new Parser(tokenize(expression.slice(1)));
  const tree = parser.disjunction();
  if (parser.peek() !== null) { throw new ConditionError(`unexpected ${parser.peek()}`); }
  if (parsed.size >= CACHE_SIZE) { parsed.clear(); }
  parsed.set(expression, tree);
  return tree;
}

/** Evaluate against plain objects, innermost scope first (as the server does); true/false pass. */
export function isConditionMet(expression, scopes) {
  return isConditionMetWith(expression, (name) => {
    const scope = scopes.find((candidate) => Object.prototype.hasOwnProperty.call(candidate, name));
    return scope ? scope[name] : undefined;
  });
}

/** Evaluate with `lookup(name)`, which gives a name's value, or undefined when no scope has it. */
export function isConditionMetWith(expression, lookup) {
  if (typeof expression === "boolean") { return expression; }
  if (typeof expression !== "string") { return false; }
  return evaluate(parseCondition(expression), lookup) === true;
}

function tokenize(text) {
  const tokens = [];
  const source = trimSpace(text, { start: false });
  let pos = 0;
  while (pos < source.length) {
    TOKEN.lastIndex = pos;
    const match = TOKEN.exec(source);
    if (!match) { throw new ConditionError(`cannot read ${source.slice(pos, pos + 20)}`); }
    tokens.push(match[1]);
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

/** Python's str.strip() (or rstrip() with start false), in linear time. */
function trimSpace(text, { start = true } = {}) {
  let first = 0;
  let end = text.length;
  while (start && first < end && IS_SPACE.test(text[first])) { first += 1; }
  while (end > first && IS_SPACE.test(text[end - 1])) { end -= 1; }
  return text.slice(first, end);
}

/** Recursive descent over the tokens: or > and > not()/parentheses > comparison. */
class Parser {
  constructor(tokens) {
    this.tokens = tokens;
    this.pos = 0;
  }

  peek() {
    return this.pos < this.tokens.length ? this.tokens[this.pos] : null;
  }

  take(expected = null) {
    const token = this.peek();
    if (token === null || (expected !== null && token !== expected)) {
      throw new ConditionError(`expected ${expected || "more"} but found ${token}`);
    }
    this.pos += 1;
    return token;
  }

  chain(word, inner) {
    const parts = [inner()];
    while (this.peek() === word) {
      this.take();
      parts.push(inner());
    }
    return parts.length === 1 ? parts[0] : [word, ...parts];
  }

  disjunction() {
    return this.chain("or", () => this.conjunction());
  }

  conjunction() {
    return this.chain("and", () => this.negation());
  }

  negation() {
    if (this.peek() === "not" || this.peek() === "(") {
      const negate = this.take() === "not";
      if (negate) { this.take("("); }
      const inner = this.disjunction();
      this.take(")");
      return negate ? ["not", inner] : inner;
    }
    const left = this.operand();
    if (COMPARISONS.has(this.peek())) { return [this.take(), left, this.operand()]; }
    return ["=", left, ["lit", true]];
  }

  operand() {
    const token = this.take();
    if (token.startsWith('"')) { return ["lit", parseString(token)]; }
    if (LITERALS.has(token)) { return ["lit", LITERALS.get(token)]; }
    if (NUMBER.test(token)) { return ["lit", Number(token)]; }
    if (NAME.test(token) && !KEYWORDS.has(token)) { return ["name", token]; }
    throw new ConditionError(`unexpected ${token}`);
  }
}

function parseString(token) {
  try {
    return JSON.parse(token);
  } catch {
    throw new ConditionError(`cannot read the string ${token}`);
  }
}

function evaluate(tree, lookup) {
  const head = tree[0];
  if (head === "lit") { return tree[1]; }
  if (head === "name") { return asScopeValue(lookup(tree[1])); }
  if (head === "not") { return !evaluate(tree[1], lookup); }
  if (head === "and") { return tree.slice(1).every((part) => evaluate(part, lookup) === true); }
  if (head === "or") { return tree.slice(1).some((part) => evaluate(part, lookup) === true); }
  return compare(head, evaluate(tree[1], lookup), evaluate(tree[2], lookup));
}

/** Missing names are null; text is trimmed, and blank text is null (as the server reads it). */
function asScopeValue(value) {
  if (value === undefined) { return null; }
  if (typeof value === "string") { return trimSpace(value) || null; }
  return value;
}

function compare(operator, left, right) {
  if (operator === "=") { return isEqual(left, right); }
  if (operator === "!=") { return !isEqual(left, right); }
  if (typeof left !== "number" || typeof right !== "number") {
    return false;  // FEEL orders numbers only; anything else compares to null
  }
  switch (operator) {
    case "<": return left < right;
    case "<=": return left <= right;
    case ">": return left > right;
    default: return left >= right;
  }
}

/** Equality of JSON values: lists and objects by content; a boolean never equals a number. */
function isEqual(left, right) {
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length
      && left.every((item, index) => isEqual(item, right[index]));
  }
  if (isObject(left) || isObject(right)) {
    if (!isObject(left) || !isObject(right)) { return false; }
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length
      && keys.every((key) => Object.prototype.hasOwnProperty.call(right, key) && isEqual(left[key], right[key]));
  }
  return left === right;
}

function isObject(value) {
  return typeof value === "object" && value !== null;
}
