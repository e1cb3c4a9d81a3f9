"use strict";
// Python 3.11's reading of number literals (CPython's tok_get number branch), as methods of
// the Tokenizer in pytokens.js: which texts are numbers, which are errors ("01", "1_",
// "1abc"), and whether a number is an int, a float or a complex (refused as a literal).

const { isDigit, isHex, isIdChar } = require("./pychars");

// After a number, these keywords only warn in Python 3.11 ("1if x else 2" is read).
const KEYWORDS_AFTER_NUMBER = ["and", "else", "for", "if", "in", "is", "not", "or"];

const numberMethods = {
  number() {
    const start = this.pos;
    const kind = this.readNumber();
    this.push("number", this.chars.slice(start, this.pos).join(""), start, { kind });
  },

  /** CPython's tok_get number branch; returns "int", "float" or "complex". */
  readNumber() {
    const c = this.peek();
    if (c === ".") {
      this.pos += 1;
      return this.fraction();
    }
    if (c === "0") {
      const base = (this.peek(1) || "").toLowerCase();
      if (base === "x" || base === "o" || base === "b") {
        this.pos += 2;
        return this.radix(base);
      }
      return this.leadingZero();
    }
    this.decimalTail();
    return this.afterInteger();
  },

  leadingZero() {
    this.pos += 1;
    for (;;) {
      if (this.peek() === "_") {
        this.pos += 1;
        if (!isDigit(this.peek())) this.fail("invalid decimal literal");
      }
      if (this.peek() !== "0") break;
      this.pos += 1;
    }
    let nonzero = false;
    if (isDigit(this.peek())) {
      nonzero = true;
      this.decimalTail();
    }
    const c = this.peek();
    if (c === "." || c === "e" || c === "E" || c === "j" || c === "J") return this.afterInteger();
    if (nonzero) {
      this.fail("leading zeros in decimal integer literals are not permitted; "
        + "use an 0o prefix for octal integers");
    }
    this.endOfNumber("decimal");
    return "int";
  },

  afterInteger() {
    const c = this.peek();
    if (c === ".") {
      this.pos += 1;
      return this.fraction();
    }
    if (c === "e" || c === "E") return this.exponent("int");
    if (c === "j" || c === "J") return this.imaginary();
    this.endOfNumber("decimal");
    return "int";
  },

  fraction() {
    if (isDigit(this.peek())) this.decimalTail();
    const c = this.peek();
    if (c === "e" || c === "E") return this.exponent("float");
    if (c === "j" || c === "J") return this.imaginary();
    this.endOfNumber("decimal");
    return "float";
  },

  /** `kind` is what the number is when the 'e' turns out to start a keyword ("1else"). */
  exponent(kind) {
    const ePos = this.pos;
    this.pos += 1;
    let c = this.peek();
    if (c === "+" || c === "-") {
      this.pos += 1;
      if (!isDigit(this.peek())) this.fail("invalid decimal literal");
    } else if (!isDigit(c)) {
      this.pos = ePos;
      this.endOfNumber("decimal");
      return kind; // the tokenizer backs up: the number ends before the "e"
    }
    this.decimalTail();
    c = this.peek();
    if (c === "j" || c === "J") return this.imaginary();
    this.endOfNumber("decimal");
    return "float";
  },

  imaginary() {
    this.pos += 1;
    this.endOfNumber("imaginary");
    return "complex";
  },

  /** Digits with single underscores between them; the first digit is at pos. */
  decimalTail() {
    for (;;) {
      while (isDigit(this.peek())) this.pos += 1;
      if (this.peek() !== "_") return;
      this.pos += 1;
      if (!isDigit(this.peek())) this.fail("invalid decimal literal");
    }
  },

  radix(base) {
    const names = { x: "hexadecimal", o: "octal", b: "binary" };
    const valid = { x: isHex, o: (c) => /^[0-7]$/.test(c || ""), b: (c) => c === "0" || c === "1" };
    do {
      if (this.peek() === "_") this.pos += 1;
      if (!valid[base](this.peek())) {
        if (base !== "x" && isDigit(this.peek())) {
          this.fail(`invalid digit '${this.peek()}' in ${names[base]} literal`);
        }
        this.fail(`invalid ${names[base]} literal`);
      }
      while (valid[base](this.peek())) this.pos += 1;
    } while (this.peek() === "_");
    if (base !== "x" && isDigit(this.peek())) {
      this.fail(`invalid digit '${this.peek()}' in ${names[base]} literal`);
    }
    this.endOfNumber(names[base]);
    return "int";
  },

  /** CPython's verify_end_of_number: a letter right after a number is an error, except
   * the start of a keyword that may follow one. */
  endOfNumber(kind) {
    const c = this.peek();
    if (!isIdChar(c)) return;
    const rest = this.chars.slice(this.pos, this.pos + 4).join("");
    if (KEYWORDS_AFTER_NUMBER.some((word) => rest.startsWith(word))) return;
    this.fail(`invalid ${kind} literal`);
  },
};

module.exports = { numberMethods };
