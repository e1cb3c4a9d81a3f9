"use strict";
// Character classes of Python's tokenizer (CPython's is_potential_identifier_start/char):
// any character from U+0080 up may start a name; whether it really may is checked after.

const isDigit = (c) => c !== undefined && c >= "0" && c <= "9";
const isHex = (c) => /^[0-9a-fA-F]$/.test(c || "");
const isIdStart = (c) => c !== undefined && (/^[A-Za-z_]$/.test(c) || c.codePointAt(0) >= 128);
const isIdChar = (c) => isIdStart(c) || isDigit(c);

module.exports = { isDigit, isHex, isIdStart, isIdChar };
