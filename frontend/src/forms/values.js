/* The value a condition's name has on the page, read from the form's inputs the way
 * engine/forms/fields.py reads the posted form: innermost [data-scope] first, as on the server. */

// engine/forms/fields.py _parse_number: what a number field posts that the server keeps as a number
const POSTED_NUMBER = /^-?(?:[0-9]+|[0-9]*\.[0-9]+)$/;

/** lookup(name) for the conditions of `element`: its scopes from the innermost outwards. */
export function scopeLookup(form, element) {
  return (name) => {
    let scope = element.parentElement && element.parentElement.closest("[data-scope]");
    while (scope) {
      const prefix = scope.getAttribute("data-scope");
      const value = fieldValue(form, prefix ? `${prefix}[${name}]` : name);
      if (value !== undefined) { return value; }
      scope = scope.parentElement && scope.parentElement.closest("[data-scope]");
    }
    return undefined;
  };
}

/** The value of the inputs named `name`, or undefined when the form has none of that name. */
function fieldValue(form, name) {
  const inputs = Array.from(form.elements).filter((input) => input.name === name);
  if (!inputs.length) { return undefined; }
  const [first] = inputs;
  if (first.type === "checkbox" && inputs.length === 1 && !first.closest(".choices")) {
    return first.checked;
  }
  if (first.type === "checkbox") {
    return inputs.filter((input) => input.checked).map(typedValue);
  }
  if (first.type === "radio") {
    const chosen = inputs.find((input) => input.checked);
    return chosen ? typedValue(chosen) : null;
  }
  return typedValue(first);
}

/** Numbers for number fields and options marked data-number; text as typed (conditions trim it). */
function typedValue(input) {
  const raw = input.value;
  const source = input.tagName === "SELECT" ? input.selectedOptions[0] : input;
  const numeric = source && (source.type === "number" || source.hasAttribute("data-number"));
  return numeric && POSTED_NUMBER.test(raw.trim()) ? Number(raw.trim()) : raw;
}
