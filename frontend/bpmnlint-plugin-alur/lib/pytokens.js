"use strict";
// Python 3.11's tokenizer, for one expression: what the server's `ast.parse(text, mode="eval")`
// sees before it parses (engine/bpmn/expression_rules.py). Only what decides whether a text
// is accepted is mirrored: lines, brackets, comments, names, numbers and string literals
// (their escapes are read in pystrings.js). Columns are 1-based code points, like Python's.

const MAX_NESTING = 200; // CPython's MAXLEVEL: "too many nested parentheses" past it
const OPERATORS = [
  "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//",
  "/=", ":=", "<<", "<=", "<>", "==", ">=", ">>", "@=", "^=", "|=",
  "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]",
  "^", "{", "|", "}", "~",
];
const CLOSERS = { ")": "(", "]": "[", "}": "{" };
const STRING_PREFIXES = new Set(["r", "u", "b", "f", "br", "rb", "fr", "rf"]);
const XID_START = /^[\p{XID_Start}_]$/u;
const XID_CONTINUE = /^\p{XID_Continue}$/u;

const { isDigit, isIdStart, isIdChar } = require("./pychars");
const { numberMethods } = require("./pynumbers");

class PySyntaxError extends Error {
  constructor(message, column) {
    super(message);
    this.name = "PySyntaxError";
    this.column = column;
  }
}


/** Split `text` into tokens: {type: name|number|string|op|newline|end, value, column}. */
function tokenize(text) {
  return new Tokenizer(Array.from(text.replace(/\r\n?/g, "\n"))).run();
}

class Tokenizer {
  constructor(chars) {
    this.chars = chars;
    this.pos = 0;
    this.tokens = [];
    this.brackets = [];
    this.lineHasContent = false;
    this.seenContent = false;
  }

  peek(offset = 0) {
    return this.chars[this.pos + offset];
  }

  fail(message, pos = this.pos) {
    throw new PySyntaxError(message, pos + 1);
  }

  push(type, value, start, extra) {
    this.tokens.push({ type, value, column: start + 1, ...extra });
    this.lineHasContent = true;
    this.seenContent = true;
  }

  run() {
    this.skipBlankLines();
    while (this.pos < this.chars.length) {
      this.step();
    }
    if (this.brackets.length) {
      this.fail(`'${this.brackets[this.brackets.length - 1].char}' was never closed`,
        this.brackets[this.brackets.length - 1].pos);
    }
    this.tokens.push({ type: "end", value: "", column: this.pos + 1 });
    return this.tokens;
  }

  /** Leading lines that hold only blanks or a comment are skipped; the first line with
   * content must not be indented (text is stripped, so only after such lines, or after a
   * backslash that joins the first line to the next: its blanks count as indentation). */
  skipBlankLines() {
    for (;;) {
      let column = 0;
      let at = this.pos;
      for (;;) {
        const c = this.chars[at];
        if (c === "\\" && this.chars[at + 1] === "\n") {
          at += 2;
          continue;
        }
        if (c !== " " && c !== "\t" && c !== "\f") break;
        column = c === "\f" ? 0 : column + 1;
        at += 1;
      }
      const c = this.chars[at];
      if (c === "#") {
        while (at < this.chars.length && this.chars[at] !== "\n") at += 1;
      }
      if (this.chars[at] === "\n") {
        this.pos = at + 1;
        continue;
      }
      if (at < this.chars.length && column > 0) this.fail("unexpected indent", at);
      this.pos = at;
      return;
    }
  }

  step() {
    const c = this.peek();
    if (c === " " || c === "\t" || c === "\f") {
      this.pos += 1;
    } else if (c === "#") {
      while (this.pos < this.chars.length && this.peek() !== "\n") this.pos += 1;
    } else if (c === "\n") {
      this.newline();
    } else if (c === "\\") {
      if (this.peek(1) === undefined) this.fail("unexpected EOF while parsing");
      if (this.peek(1) !== "\n") this.fail("unexpected character after line continuation character");
      this.pos += 2;
    } else if (c === "\0") {
      this.fail("source code cannot contain null bytes");
    } else if (isIdStart(c)) {
      this.nameOrString();
    } else if (isDigit(c) || (c === "." && isDigit(this.peek(1)))) {
      this.number();
    } else if (c === "'" || c === '"') {
      this.string("", this.pos);
    } else {
      this.operator();
    }
  }

  newline() {
    const start = this.pos;
    this.pos += 1;
    if (this.brackets.length === 0 && this.lineHasContent) {
      this.tokens.push({ type: "newline", value: "\n", column: start + 1 });
      this.lineHasContent = false;
    }
  }

  operator() {
    const start = this.pos;
    const rest = this.chars.slice(this.pos, this.pos + 3).join("");
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (!op) {
      const c = this.peek();
      const code = c.codePointAt(0);
      const printable = code > 32 && code !== 127 && !/^[\p{Z}\p{C}]$/u.test(c);
      this.fail(printable ? `invalid character '${c}' (U+${hex(code)})`
        : `invalid non-printable character U+${hex(code)}`);
    }
    this.pos += Array.from(op).length;
    if ("([{".includes(op)) {
      if (this.brackets.length >= MAX_NESTING) this.fail("too many nested parentheses", start);
      this.brackets.push({ char: op, pos: start });
    } else if (op in CLOSERS) {
      const open = this.brackets.pop();
      if (!open) this.fail(`unmatched '${op}'`, start);
      if (open.char !== CLOSERS[op]) {
        this.fail(`closing parenthesis '${op}' does not match opening parenthesis '${open.char}'`,
          start);
      }
    }
    this.push("op", op, start);
  }

  nameOrString() {
    const start = this.pos;
    const two = (this.peek() + (this.peek(1) || "")).toLowerCase();
    if (STRING_PREFIXES.has(two) && isQuote(this.peek(2))) {
      this.pos += 2;
      this.string(two, start);
      return;
    }
    if (STRING_PREFIXES.has(this.peek().toLowerCase()) && isQuote(this.peek(1))) {
      this.pos += 1;
      this.string(this.chars[start].toLowerCase(), start);
      return;
    }
    while (isIdChar(this.peek())) this.pos += 1;
    const chars = this.chars.slice(start, this.pos);
    chars.forEach((char, index) => {
      const valid = index === 0 ? XID_START.test(char) : XID_CONTINUE.test(char);
      if (!valid) this.fail(`invalid character '${char}' (U+${hex(char.codePointAt(0))})`, start + index);
    });
    this.push("name", chars.join(""), start);
  }

  string(prefix, start) {
    const quote = this.peek();
    const triple = this.peek(1) === quote && this.peek(2) === quote;
    const width = triple ? 3 : 1;
    this.pos += width;
    const bodyStart = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        this.fail(triple ? "unterminated triple-quoted string literal"
          : "unterminated string literal", start);
      }
      if (!triple && c === "\n") this.fail("unterminated string literal", start);
      if (c === quote && (!triple || (this.peek(1) === quote && this.peek(2) === quote))) break;
      this.pos += c === "\\" && this.peek(1) !== undefined ? 2 : 1;
    }
    const body = this.chars.slice(bodyStart, this.pos).join("");
    this.pos += width;
    this.push("string", body, start, {
      bytes: prefix.includes("b"), raw: prefix.includes("r"), fstring: prefix.includes("f"),
    });
  }
}

// Number literals are read by the methods of pynumbers.js.
Object.assign(Tokenizer.prototype, numberMethods);

function isQuote(c) {
  return c === "'" || c === '"';
}

function hex(code) {
  return code.toString(16).toUpperCase().padStart(4, "0");
}

module.exports = { tokenize, PySyntaxError, MAX_NESTING };
