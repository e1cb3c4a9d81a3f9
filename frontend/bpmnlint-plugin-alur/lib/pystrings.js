"use strict";
// Python string literals after tokenizing: adjacent literals join into one, bytes and text
// may not mix, and escapes are decoded with Python's rules (a bad \x, \u, \U or \N escape is
// a syntax error; an unknown escape such as "\d" is kept as written, with only a warning).

const { PySyntaxError } = require("./pytokens");

const SIMPLE_ESCAPES = {
  "\n": "", "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r",
  t: "\t", v: "\v",
};
const HEX_ESCAPES = { x: 2, u: 4, U: 8 };

/** Join adjacent string tokens into the node `ast.parse` would make: a Constant of kind
 * "str" or "bytes" with its value, or a JoinedStr for f-strings (refused later anyway). */
function joinStrings(tokens) {
  const bytes = tokens.map((token) => token.bytes);
  if (bytes.some((flag) => flag !== bytes[0])) {
    throw new PySyntaxError("cannot mix bytes and nonbytes literals", tokens[0].column);
  }
  if (tokens.some((token) => token.fstring)) return { type: "JoinedStr", values: [] };
  const value = tokens.map(decode).join("");
  return { type: "Constant", kind: bytes[0] ? "bytes" : "str", value };
}

function decode(token) {
  if (token.bytes && /[^\x00-\x7f]/.test(token.value)) {
    throw new PySyntaxError("bytes can only contain ASCII literal characters", token.column);
  }
  return token.raw ? token.value : unescape(token);
}

function unescape(token) {
  const chars = Array.from(token.value);
  let out = "";
  for (let i = 0; i < chars.length; i += 1) {
    if (chars[i] !== "\\") {
      out += chars[i];
      continue;
    }
    const [text, used] = readEscape(chars, i + 1, token);
    out += text;
    i += used;
  }
  return out;
}

/** The text of the escape whose letter is at chars[at], and how many chars it used. */
function readEscape(chars, at, token) {
  const c = chars[at];
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c], 1];
  if (/^[0-7]$/.test(c)) {
    let digits = c;
    while (digits.length < 3 && /^[0-7]$/.test(chars[at + digits.length] || "")) {
      digits += chars[at + digits.length];
    }
    return [String.fromCodePoint(parseInt(digits, 8)), digits.length];
  }
  if (c in HEX_ESCAPES && (c === "x" || !token.bytes)) return hexEscape(chars, at, token);
  if (c === "N" && !token.bytes) return namedEscape(chars, at, token);
  return ["\\" + c, 1]; // an unknown escape stays as written
}

function hexEscape(chars, at, token) {
  const c = chars[at];
  const width = HEX_ESCAPES[c];
  const digits = chars.slice(at + 1, at + 1 + width).join("");
  if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(digits)) {
    // Python's own wording: "truncated \xXX escape", one X per hex digit it wants
    const form = `\\${c}${"X".repeat(width)}`;
    throw new PySyntaxError(`(unicode error) truncated ${form} escape`, token.column);
  }
  const code = parseInt(digits, 16);
  if (code > 0x10ffff) {
    throw new PySyntaxError("(unicode error) illegal Unicode character", token.column);
  }
  return [String.fromCodePoint(code), width + 1];
}

/** \N{NAME}: the name cannot be checked here without Unicode's name table, so any
 * well-formed one is accepted (the server, which can, refuses an unknown name). */
function namedEscape(chars, at, token) {
  const close = chars.indexOf("}", at + 2);
  if (chars[at + 1] !== "{" || close < 0 || close === at + 2) {
    throw new PySyntaxError("(unicode error) malformed \\N character escape", token.column);
  }
  return ["\uFFFD", close - at + 1];
}

module.exports = { joinStrings };
