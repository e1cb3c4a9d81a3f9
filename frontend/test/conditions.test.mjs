// The shared table tests/fixtures/form-conditions.json through src/forms/conditions.js;
// tests/engine/forms/test_conditions.py runs the same table through engine/forms/conditions.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { ConditionError, isConditionMet, parseCondition } from "../src/forms/conditions.js";

const TABLE = new URL("../../tests/fixtures/form-conditions.json", import.meta.url);
const { cases } = JSON.parse(readFileSync(TABLE, "utf8"));

describe("form conditions (shared table)", () => {
  test("the table is not empty", () => {
    assert.ok(cases.length >= 40, `only ${cases.length} cases`);
  });

  for (const item of cases) {
    if (item.error) {
      test(`refuses ${item.name}: ${JSON.stringify(item.expression)}`, () => {
        assert.throws(() => parseCondition(item.expression), ConditionError);
        assert.throws(() => isConditionMet(item.expression, [{}]), ConditionError);
      });
    } else {
      test(`${item.name}: ${JSON.stringify(item.expression)}`, () => {
        assert.equal(isConditionMet(item.expression, item.scopes), item.expected);
      });
    }
  }
});
