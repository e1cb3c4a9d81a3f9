/**
 * What the data-wiring entries share: the check of a variable name in the reader's words
 * (a Python name, not a reserved word, not twice in one list, not another element's id:
 * the server refuses each at deploy, engine/bpmn/datarefs.py), and `Tagged`, which puts a
 * `data-testid` on an entry's control after each render (the panel's components take no
 * extra attributes).
 */
import { h } from "@bpmn-io/properties-panel/preact";
import { useEffect, useRef } from "@bpmn-io/properties-panel/preact/hooks";

import { idClash, variableNameProblem } from "./wiring.js";

const WORDS = { empty: "variableEmpty", invalid: "variableInvalid", keyword: "variableKeyword" };

/**
 * The reader's message for what is wrong with `value` as a variable name, or null.
 * Options: allowEmpty ("" is fine: it removes), siblings (names already in the same list),
 * process and except (no other element of the process may have that id).
 */
export function nameError(alur, value, { allowEmpty = false, siblings = [], process = null,
  except = null } = {}) {
  const name = (value || "").trim();
  if (!name && allowEmpty) return null;
  const problem = variableNameProblem(name);
  if (problem) return alur.t(WORDS[problem], { name });
  if (siblings.includes(name)) return alur.t("variableTaken", { name });
  if (idClash(process, name, except)) return alur.t("variableClash", { name });
  return null;
}

export function Tagged({ testid, children, className }) {
  const ref = useRef(null);
  useEffect(() => {
    const control = ref.current && ref.current.querySelector("input, select, textarea");
    if (control && testid) control.setAttribute("data-testid", testid);
  });
  return h("div", { ref, class: className || "alur-entry" }, children);
}
