"use strict";
// The displays of Python's grammar, as methods of the Parser in pyparser.js: parenthesized
// groups and tuples, lists, dicts and sets, the comprehensions that may follow their first
// element, and lambda. Comprehensions and lambda are refused by the allowlist whatever they
// hold, so their insides are read loosely; what the allowlist accepts is read exactly.

const displayMethods = {
  /** lambda: read its parameters loosely; the node is refused whatever they are. */
  lambda() {
    this.next();
    while (!this.atOp(":")) {
      if (this.at("end")) this.fail();
      if (this.atOp("=")) {
        this.next();
        this.expression();
      } else {
        this.next();
      }
    }
    this.next();
    return { type: "Lambda", body: this.expression() };
  },

  parenthesized() {
    if (this.accept("op", ")")) return { type: "Tuple", elts: [] };
    if (this.atKeyword("yield")) {
      const node = this.yieldExpr();
      this.expect("op", ")");
      return node;
    }
    const first = this.starOrNamed();
    if (this.atKeyword("for") || this.atKeyword("async")) {
      const node = this.comprehension("GeneratorExp", first);
      this.expect("op", ")");
      return node;
    }
    if (this.accept("op", ")")) {
      if (first.type === "Starred") this.fail("cannot use starred expression here");
      return first;
    }
    const elts = this.restOfList(first, ")");
    return { type: "Tuple", elts };
  },

  yieldExpr() {
    this.next();
    if (this.accept("name", "from")) return { type: "YieldFrom", value: this.expression() };
    if (this.atOp(")")) return { type: "Yield" };
    return { type: "Yield", value: this.expressions() };
  },

  /** After the first element: (',' element)* [','] then `closer`. */
  restOfList(first, closer) {
    const elts = [first];
    while (!this.accept("op", closer)) {
      this.expect("op", ",");
      if (this.accept("op", closer)) break;
      elts.push(this.starOrNamed());
    }
    return elts;
  },

  bracketed() {
    if (this.accept("op", "]")) return { type: "List", elts: [] };
    const first = this.starOrNamed();
    if (this.atKeyword("for") || this.atKeyword("async")) {
      const node = this.comprehension("ListComp", first);
      this.expect("op", "]");
      return node;
    }
    return { type: "List", elts: this.restOfList(first, "]") };
  },

  braced() {
    if (this.accept("op", "}")) return { type: "Dict", keys: [], values: [] };
    if (this.atOp("**")) return this.dictItems();
    const first = this.starOrNamed();
    if (this.accept("op", ":")) {
      if (first.type === "Starred" || first.type === "NamedExpr") this.fail();
      const value = this.expression();
      if (this.atKeyword("for") || this.atKeyword("async")) {
        const node = this.comprehension("DictComp", first, value);
        this.expect("op", "}");
        return node;
      }
      return this.dictItems(first, value);
    }
    if (this.atKeyword("for") || this.atKeyword("async")) {
      const node = this.comprehension("SetComp", first);
      this.expect("op", "}");
      return node;
    }
    return { type: "Set", elts: this.restOfList(first, "}") };
  },

  /** The rest of a dict display; `key` is null for a `**mapping` item. */
  dictItems(firstKey, firstValue) {
    const keys = [];
    const values = [];
    if (firstKey !== undefined) {
      keys.push(firstKey);
      values.push(firstValue);
      if (!this.accept("op", ",")) {
        this.expect("op", "}");
        return { type: "Dict", keys, values };
      }
    }
    while (!this.accept("op", "}")) {
      if (this.accept("op", "**")) {
        keys.push(null);
        values.push(this.binary(0));
      } else {
        keys.push(this.expression());
        this.expect("op", ":");
        values.push(this.expression());
      }
      if (!this.accept("op", ",")) {
        this.expect("op", "}");
        break;
      }
    }
    return { type: "Dict", keys, values };
  },

  /** for ... in ... [if ...]: the targets are read loosely (the node is refused). */
  comprehension(type, elt, value) {
    const generators = [];
    while (this.atKeyword("for") || this.atKeyword("async")) {
      this.accept("name", "async");
      this.expect("name", "for");
      const targets = [this.starOrBinary()];
      while (this.accept("op", ",") && !this.atKeyword("in")) targets.push(this.starOrBinary());
      this.expect("name", "in");
      const iter = this.disjunction();
      const ifs = [];
      while (this.accept("name", "if")) ifs.push(this.disjunction());
      generators.push({ type: "comprehension", targets, iter, ifs });
    }
    return { type, elt, value, generators };
  },

  starOrBinary() {
    if (this.accept("op", "*")) return { type: "Starred", value: this.binary(0) };
    return this.binary(0);
  },
};

module.exports = { displayMethods };
