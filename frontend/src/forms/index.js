/* Forms rendered by webapp/templates/inbox/_form.html (task and start pages).
 *
 * - conditions: fields with data-hide-if are shown or hidden as the user types, with the same
 *   FEEL subset the server understands; inputs of hidden fields are disabled so they are not
 *   sent. The server evaluates every condition again on submit.
 * - dynamic lists: rows are added and removed (lists.js);
 * - readonly fields: the server renders them disabled, and they stay so.
 * No inline scripts (CSP); every text shown comes from the page.
 */
import { onReady } from "../common/ready.js";
import { isConditionMetWith } from "./conditions.js";
import { addRow, removeRow } from "./lists.js";
import { scopeLookup } from "./values.js";

const INPUTS = "input, select, textarea";

function isHidden(form, element) {
  try {
    return isConditionMetWith(element.getAttribute("data-hide-if"), scopeLookup(form, element));
  } catch {
    return false;  // unreadable conditions are refused when the form is deployed
  }
}

function applyConditions(form) {
  form.querySelectorAll("[data-hide-if]").forEach((element) => {
    element.hidden = isHidden(form, element);
  });
  form.querySelectorAll(INPUTS).forEach((input) => {
    if (input.type === "hidden" || input.hasAttribute("data-locked")) { return; }
    input.disabled = Boolean(input.closest("[hidden]"));
  });
}

/** Inputs the server rendered disabled are readonly: conditions must not enable them. */
function lockReadonly(root) {
  root.querySelectorAll(INPUTS).forEach((input) => {
    if (input.disabled) { input.setAttribute("data-locked", ""); }
  });
}

function onClick(form, event) {
  const add = event.target.closest("[data-add-row]");
  const remove = event.target.closest("[data-remove-row]");
  if (add) {
    const row = addRow(add.closest("[data-dynlist]"));
    lockReadonly(row);
    applyConditions(form);
    const first = row.querySelector(INPUTS);
    if (first) { first.focus(); }
  } else if (remove) {
    removeRow(remove);
    applyConditions(form);
  }
}

function enhanceForm(form) {
  lockReadonly(form);
  applyConditions(form);
  form.addEventListener("input", () => applyConditions(form));
  form.addEventListener("change", () => applyConditions(form));
  form.addEventListener("click", (event) => onClick(form, event));
}

onReady(() => {
  document.querySelectorAll("form").forEach((form) => {
    if (form.querySelector("[data-scope]")) { enhanceForm(form); }
  });
});
