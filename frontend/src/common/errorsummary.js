/**
 * The "form was not sent" box at the top of a form (inbox/_form.html, [data-error-summary]):
 * after a failed submit it lists every field with a problem as a link to that field, and
 * takes the focus, so keyboard and screen-reader users land on what to fix first.
 */

/** The text a person knows the field by: its label or legend, else its help text. */
function fieldName(field) {
  const label = field.querySelector(".field-label, legend, label");
  return label ? label.textContent.replace(/\*\s*$/, "").trim() : "";
}

/** The first control a link to `target` should focus (a fieldset focuses its first input). */
export function focusableIn(target) {
  if (target.matches("input, select, textarea, button, [tabindex]")) return target;
  return target.querySelector("input:not([type=hidden]), select, textarea, button");
}

function linkTo(errorList) {
  const id = errorList.id.replace(/-error$/, "");
  const target = document.getElementById(id);
  const field = errorList.closest(".field, .choices, fieldset") || errorList.parentElement;
  if (!target || !field || field.closest("[hidden]")) return null;
  const item = document.createElement("li");
  const link = document.createElement("a");
  link.href = `#${id}`;
  const name = fieldName(field);
  const message = errorList.textContent.trim().replace(/\s+/g, " ");
  link.textContent = name ? `${name}: ${message}` : message;
  link.addEventListener("click", (event) => {
    const control = focusableIn(target);
    if (!control) return;
    event.preventDefault();
    control.focus();
    control.scrollIntoView({ block: "center" });
  });
  item.append(link);
  return item;
}

export function enhanceErrorSummary(summary) {
  const form = summary.closest("form") || document;
  // the server already links the problems inside list rows (their rows may be folded away)
  const linked = new Set(
    [...summary.querySelectorAll("a[href^='#']")].map((a) => a.getAttribute("href").slice(1)),
  );
  const items = [...form.querySelectorAll("ul.field-errors[id$='-error']")]
    .filter((errors) => !linked.has(errors.id.replace(/-error$/, "")))
    .map(linkTo)
    .filter(Boolean);
  if (items.length) {
    const list = document.createElement("ul");
    list.className = "error-links";
    list.setAttribute("data-testid", "error-links");
    list.append(...items);
    summary.append(list);
  }
  if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
  summary.focus();
}
