"use strict";
// A recursive-descent reading of Python 3.11's expression grammar (mode "eval"), building
// nodes named and shaped like Python's `ast` ones so that expressions.js can apply the
// server's allowlist (engine/bpmn/expression_rules.py) node by node. Constructs the
// allowlist refuses (lambda, comprehensions, attributes, ...) are still read, so that the
// problem named is "lambda is not allowed" rather than a syntax error.

const { tokenize, PySyntaxError } = require("./pytokens");
const { joinStrings } = require("./pystrings");
const { displayMethods } = require("./pydisplays");

const PY_KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
  "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if",
  "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
  "while", "with", "yield",
]);
const COMPARE_OPS = { "==": "Eq", "!=": "NotEq", "<": "Lt", "<=": "LtE", ">": "Gt", ">=": "GtE" };
const BINARY_LEVELS = [
  { "|": "BitOr" }, { "^": "BitXor" }, { "&": "BitAnd" }, { "<<": "LShift", ">>": "RShift" },
  { "+": "Add", "-": "Sub" }, { "*": "Mult", "/": "Div", "//": "FloorDiv", "%": "Mod", "@": "MatMult" },
];
const UNARY_OPS = { "+": "UAdd", "-": "USub", "~": "Invert" };
const CONSTANTS = { True: ["bool", true], False: ["bool", false], None: ["None", null] };

/** Parse `text` as Python's `ast.parse(text, mode="eval")` would; throws PySyntaxError. */
function parseExpressionText(text) {
  const parser = new Parser(tokenize(text));
  const body = parser.expressions();
  while (parser.at("newline")) parser.next();
  if (!parser.at("end")) parser.fail();
  return { type: "Expression", body };
}

class Parser {
  constructor(tokens) {
    this.tokens = tokens;
    this.pos = 0;
  }

  get token() {
    return this.tokens[this.pos];
  }

  at(type, value) {
    const token = this.token;
    return token.type === type && (value === undefined || token.value === value);
  }

  atOp(value) {
    return this.at("op", value);
  }

  atKeyword(word) {
    return this.at("name", word);
  }

  next() {
    const token = this.token;
    this.pos += 1;
    return token;
  }

  isOpAfter(value) {
    const token = this.tokens[this.pos + 1];
    return token.type === "op" && token.value === value;
  }

  accept(type, value) {
    if (!this.at(type, value)) return false;
    this.pos += 1;
    return true;
  }

  expect(type, value) {
    if (!this.accept(type, value)) this.fail();
  }

  fail(message = "invalid syntax") {
    throw new PySyntaxError(message, this.token.column);
  }

  /** expressions: expression (',' expression)* [','] — a bare tuple at the top. */
  expressions() {
    const first = this.expression();
    if (!this.atOp(",")) return first;
    const elts = [first];
    while (this.accept("op", ",")) {
      if (this.endsList()) break;
      elts.push(this.expression());
    }
    return { type: "Tuple", elts };
  }

  endsList() {
    return this.at("end") || this.at("newline") || [")", "]", "}", "=", ":"].some((op) => this.atOp(op));
  }

  expression() {
    if (this.atKeyword("lambda")) return this.lambda();
    const body = this.disjunction();
    if (!this.accept("name", "if")) return body;
    const test = this.disjunction();
    this.expect("name", "else");
    return { type: "IfExp", test, body, orelse: this.expression() };
  }

  namedExpression() {
    if (this.at("name") && !PY_KEYWORDS.has(this.token.value) && this.isOpAfter(":=")) {
      const target = this.name();
      this.next();
      return { type: "NamedExpr", target, value: this.expression() };
    }
    const value = this.expression();
    if (this.atOp(":=")) this.fail("cannot use assignment expressions with this expression");
    return value;
  }

  starOrNamed() {
    if (this.accept("op", "*")) return { type: "Starred", value: this.binary(0) };
    return this.namedExpression();
  }

  disjunction() {
    return this.boolOp("or", "Or", () => this.conjunction());
  }

  conjunction() {
    return this.boolOp("and", "And", () => this.inversion());
  }

  boolOp(word, op, operand) {
    const values = [operand()];
    while (this.accept("name", word)) values.push(operand());
    return values.length === 1 ? values[0] : { type: "BoolOp", op, values };
  }

  inversion() {
    if (this.accept("name", "not")) return { type: "UnaryOp", op: "Not", operand: this.inversion() };
    return this.comparison();
  }

  comparison() {
    const left = this.binary(0);
    const ops = [];
    const comparators = [];
    for (let op = this.compareOp(); op; op = this.compareOp()) {
      ops.push(op);
      comparators.push(this.binary(0));
    }
    return ops.length ? { type: "Compare", left, ops, comparators } : left;
  }

  compareOp() {
    const token = this.token;
    if (token.type === "op" && token.value in COMPARE_OPS) {
      this.next();
      return COMPARE_OPS[token.value];
    }
    if (this.accept("name", "in")) return "In";
    if (this.atKeyword("not") && this.tokens[this.pos + 1].type === "name"
        && this.tokens[this.pos + 1].value === "in") {
      this.pos += 2;
      return "NotIn";
    }
    if (this.accept("name", "is")) return this.accept("name", "not") ? "IsNot" : "Is";
    return null;
  }

  /** bitwise_or down to term: left-associative binary operators, one level per entry. */
  binary(level) {
    if (level === BINARY_LEVELS.length) return this.factor();
    const ops = BINARY_LEVELS[level];
    let left = this.binary(level + 1);
    while (this.token.type === "op" && this.token.value in ops) {
      const op = ops[this.next().value];
      left = { type: "BinOp", left, op, right: this.binary(level + 1) };
    }
    return left;
  }

  factor() {
    const token = this.token;
    if (token.type === "op" && token.value in UNARY_OPS) {
      this.next();
      return { type: "UnaryOp", op: UNARY_OPS[token.value], operand: this.factor() };
    }
    return this.power();
  }

  power() {
    const base = this.awaitPrimary();
    if (!this.accept("op", "**")) return base;
    return { type: "BinOp", left: base, op: "Pow", right: this.factor() };
  }

  awaitPrimary() {
    if (this.accept("name", "await")) return { type: "Await", value: this.primary() };
    return this.primary();
  }

  primary() {
    let node = this.atom();
    for (;;) {
      if (this.accept("op", ".")) {
        if (!this.at("name") || PY_KEYWORDS.has(this.token.value)) this.fail();
        node = { type: "Attribute", value: node, attr: this.next().value };
      } else if (this.accept("op", "(")) {
        node = this.call(node);
      } else if (this.accept("op", "[")) {
        node = { type: "Subscript", value: node, slice: this.slices() };
        this.expect("op", "]");
      } else {
        return node;
      }
    }
  }

  atom() {
    const token = this.token;
    if (token.type === "name") return this.nameAtom(token);
    if (token.type === "number") {
      this.next();
      return { type: "Constant", kind: token.kind, value: numberValue(token) };
    }
    if (token.type === "string") {
      const parts = [];
      while (this.at("string")) parts.push(this.next());
      return joinStrings(parts);
    }
    if (this.accept("op", "(")) return this.parenthesized();
    if (this.accept("op", "[")) return this.bracketed();
    if (this.accept("op", "{")) return this.braced();
    if (this.accept("op", "...")) return { type: "Constant", kind: "ellipsis", value: null };
    return this.fail();
  }

  nameAtom(token) {
    if (token.value in CONSTANTS) {
      this.next();
      const [kind, value] = CONSTANTS[token.value];
      return { type: "Constant", kind, value };
    }
    if (PY_KEYWORDS.has(token.value)) this.fail();
    return this.name();
  }

  name() {
    const token = this.next();
    return { type: "Name", id: token.value.normalize("NFKC") };
  }

  /** slices: one slice, or several (a tuple), each `a:b:c` or an expression. */
  slices() {
    const first = this.slice();
    if (!this.atOp(",")) return first;
    const elts = [first];
    while (this.accept("op", ",")) {
      if (this.atOp("]")) break;
      elts.push(this.slice());
    }
    return { type: "Tuple", elts };
  }

  slice() {
    if (this.atOp("*")) return this.starOrNamed();
    let lower = null;
    if (!this.atOp(":")) {
      const node = this.namedExpression();
      if (!this.atOp(":")) return node;
      if (node.type === "NamedExpr") this.fail();
      lower = node;
    }
    this.expect("op", ":");
    const upper = this.sliceBound();
    let step = null;
    if (this.accept("op", ":")) step = this.sliceBound();
    return { type: "Slice", lower, upper, step };
  }

  sliceBound() {
    return this.atOp(":") || this.atOp(",") || this.atOp("]") ? null : this.expression();
  }

  /** Arguments of a call: positional, then keywords; `*x`, `**x` and a bare generator
   * are read too. Python's ordering errors are reproduced. */
  call(func) {
    const args = [];
    const keywords = [];
    while (!this.accept("op", ")")) {
      this.argument(args, keywords);
      if (args.length === 1 && keywords.length === 0 && (this.atKeyword("for") || this.atKeyword("async"))) {
        args[0] = this.comprehension("GeneratorExp", args[0]);
      }
      if (!this.accept("op", ",")) {
        this.expect("op", ")");
        break;
      }
    }
    return { type: "Call", func, args, keywords };
  }

  argument(args, keywords) {
    const unpacked = keywords.some((keyword) => keyword.arg === null);
    if (this.accept("op", "**")) {
      keywords.push({ type: "keyword", arg: null, value: this.expression() });
    } else if (this.accept("op", "*")) {
      if (unpacked) this.fail("iterable argument unpacking follows keyword argument unpacking");
      args.push({ type: "Starred", value: this.expression() });
    } else if (this.at("name") && !PY_KEYWORDS.has(this.token.value) && this.isOpAfter("=")) {
      const arg = this.next().value.normalize("NFKC");
      this.next();
      keywords.push({ type: "keyword", arg, value: this.expression() });
    } else {
      const value = this.namedExpression();
      if (this.atOp("=")) this.fail('expression cannot contain assignment, perhaps you meant "=="?');
      if (keywords.length) {
        this.fail(unpacked ? "positional argument follows keyword argument unpacking"
          : "positional argument follows keyword argument");
      }
      args.push(value);
    }
  }
}

// Displays ((...), [...], {...}), comprehensions and lambda are read by pydisplays.js.
Object.assign(Parser.prototype, displayMethods);

/** A number literal's value, as far as a JavaScript number holds it (the allowlist only
 * looks at its kind). */
function numberValue(token) {
  const text = token.value.replace(/_/g, "").toLowerCase();
  if (token.kind === "complex") return null;
  if (token.kind === "float") return Number(text);
  if (/^0[xob]/.test(text)) return Number(text);
  return Number(text.replace(/^0+(?=\d)/, ""));
}

module.exports = { parseExpressionText, PY_KEYWORDS };
