"use strict";
// The server's expression allowlist (engine/bpmn/expression_rules.py) in JavaScript, so the
// modeler can say while drawing what the deploy would refuse. The text is read as Python
// 3.11 reads it (pytokens.js, pyparser.js) and each node is then judged as the server
// judges it. `checkExpression(text)` returns problems as {code, params}; an empty list
// means the server accepts the text too (tests/frontend/test_lint_parity.py holds both
// sides to the same table of expressions).

const { PySyntaxError } = require("./pytokens");
const { parseExpressionText } = require("./pyparser");

const MAX_EXPRESSION_LENGTH = 1000;
const MAX_NODES = 200;
const FUNCTION_NAMES = new Set([
  "len", "min", "max", "abs", "round", "int", "float", "str", "bool", "sum", "any", "all",
  "sorted", "date",
]);
const KEYWORDS = new Set(["reverse", "ndigits", "default"]);
const LITERAL_KINDS = new Set(["str", "int", "float", "bool", "None"]);
const LITERAL_TYPE_NAMES = { bytes: "bytes", complex: "complex", ellipsis: "ellipsis" };
const ALLOWED_OPERATORS = new Set([
  "Add", "Sub", "Mult", "Div", "FloorDiv", "Mod", "And", "Or", "Not", "UAdd", "USub",
  "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE", "Is", "IsNot", "In", "NotIn",
]);
const FORBIDDEN_OPERATORS = {
  Pow: "**", LShift: "<<", RShift: ">>", BitOr: "|", BitXor: "^", BitAnd: "&", MatMult: "@",
  Invert: "~",
};
const FORBIDDEN_NODES = {
  Attribute: "attribute", Lambda: "lambda", JoinedStr: "fstring", NamedExpr: "walrus",
  Starred: "starred", ListComp: "comprehension", SetComp: "comprehension",
  DictComp: "comprehension", GeneratorExp: "comprehension",
};
const SILENT_NODES = new Set(["comprehension", "Store"]);
const FOREIGN_LANGUAGES = [
  [/^=/, "feel"],
  [/[$#]\{/, "juel"],
];
// Python's str.strip(): the characters str.isspace() is true for.
const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");
const CACHE_SIZE = 1024;
const cache = new Map();

/** What is wrong with `text` as {code, params} problems; [] when the server runs it. */
function checkExpression(text) {
  if (typeof text !== "string") return [problem("not_text")];
  if (!cache.has(text)) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
    cache.set(text, Object.freeze(readExpression(text).problems));
  }
  return cache.get(text).slice();
}

/** The tree (null when it could not be read) and the problems, as parse_expression. */
function readExpression(text) {
  const stripped = pyStrip(text);
  if (!stripped) return { tree: null, problems: [problem("empty")] };
  if (Array.from(stripped).length > MAX_EXPRESSION_LENGTH) {
    return { tree: null, problems: [problem("too_long", { max: MAX_EXPRESSION_LENGTH })] };
  }
  let tree;
  try {
    tree = parseExpressionText(stripped);
  } catch (error) {
    if (!(error instanceof PySyntaxError)) throw error;
    return { tree: null, problems: [syntaxProblem(stripped, error)] };
  }
  const nodes = walk(tree);
  if (nodes.length > MAX_NODES) {
    return { tree: null, problems: [problem("too_many_parts", { max: MAX_NODES })] };
  }
  const seen = new Map();
  for (const node of nodes) {
    for (const found of nodeProblems(node)) seen.set(JSON.stringify(found), found);
  }
  return { tree, problems: [...seen.values()] };
}

function problem(code, params = {}) {
  return { code, params };
}

function pyStrip(text) {
  return text.replace(STRIP, "");
}

function syntaxProblem(text, error) {
  for (const [pattern, language] of FOREIGN_LANGUAGES) {
    if (pattern.test(text)) return problem("foreign_language", { language });
  }
  return problem("syntax", { detail: error.message, column: error.column });
}

/** Every node `ast.walk` would yield, breadth first, including the context (Load/Store)
 * and operator nodes Python counts toward the 200-part limit. */
function walk(tree) {
  const out = [];
  const queue = [tree];
  while (queue.length) {
    const node = queue.shift();
    out.push(node);
    queue.push(...childNodes(node));
  }
  return out;
}

const load = () => ({ type: "Load" });
const op = (name) => ({ type: "operator", op: name });

function childNodes(node) {
  const list = (items) => items.filter(Boolean);
  switch (node.type) {
    case "Expression": return [node.body];
    case "BoolOp": return [op(node.op), ...node.values];
    case "BinOp": return [node.left, op(node.op), node.right];
    case "UnaryOp": return [op(node.op), node.operand];
    case "Lambda": return [node.body];
    case "IfExp": return [node.test, node.body, node.orelse];
    case "Dict": return [...list(node.keys), ...node.values];
    case "Set": return node.elts;
    case "ListComp": case "SetComp": case "GeneratorExp": return [node.elt, ...node.generators];
    case "DictComp": return [node.elt, node.value, ...node.generators];
    case "comprehension": return [...node.targets, node.iter, ...node.ifs];
    case "Await": case "Yield": case "YieldFrom": return list([node.value]);
    case "Compare": return [node.left, ...node.ops.map(op), ...node.comparators];
    case "Call": return [node.func, ...node.args, ...node.keywords];
    case "keyword": return [node.value];
    case "Attribute": case "Starred": return [node.value, load()];
    case "Subscript": return [node.value, node.slice, load()];
    case "Name": return [load()];
    case "List": case "Tuple": return [...node.elts, load()];
    case "Slice": return list([node.lower, node.upper, node.step]);
    case "NamedExpr": return [{ type: "Store" }, node.value];
    default: return [];
  }
}

function nodeProblems(node) {
  if (node.type in FORBIDDEN_NODES) return [problem("forbidden", { what: FORBIDDEN_NODES[node.type] })];
  if (SILENT_NODES.has(node.type)) return [];
  if (node.type === "operator") return operatorProblems(node.op);
  const check = NODE_CHECKS[node.type];
  if (!check) return [problem("node_not_allowed", { kind: node.type })];
  return check(node);
}

function operatorProblems(name) {
  if (name in FORBIDDEN_OPERATORS) return [problem("operator", { operator: FORBIDDEN_OPERATORS[name] })];
  return ALLOWED_OPERATORS.has(name) ? [] : [problem("node_not_allowed", { kind: name })];
}

const none = () => [];
const NODE_CHECKS = {
  Expression: none, Load: none, BinOp: none, UnaryOp: none, BoolOp: none, Compare: none,
  IfExp: none, Subscript: none, List: none, Tuple: none, Set: none,
  Name(node) {
    if (node.id.startsWith("_")) return [problem("underscore_name")];
    if (node.id.includes("__")) return [problem("dunder_name")];
    return [];
  },
  Constant(node) {
    if (LITERAL_KINDS.has(node.kind)) return [];
    return [problem("literal_type", { type: LITERAL_TYPE_NAMES[node.kind] || node.kind })];
  },
  Call(node) {
    if (node.func.type !== "Name") return [problem("call_not_by_name")];
    if (!FUNCTION_NAMES.has(node.func.id)) return [problem("call_not_allowed", { name: node.func.id })];
    return [];
  },
  keyword(node) {
    if (node.arg === null) return [problem("kwargs_unpacking")];
    if (!KEYWORDS.has(node.arg)) return [problem("keyword_not_allowed", { name: node.arg })];
    return [];
  },
  Dict(node) {
    return node.keys.includes(null) ? [problem("dict_unpacking")] : [];
  },
  Slice(node) {
    return node.step ? [problem("slice_step")] : [];
  },
};

module.exports = {
  checkExpression, readExpression, pyStrip, MAX_EXPRESSION_LENGTH, MAX_NODES, FUNCTION_NAMES,
};
