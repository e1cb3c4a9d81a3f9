/* The version pickers: choosing another process offers that process's version numbers
 * (the newest as "to", the one before as "from"), so the form never sends a version the
 * process does not have. Without this script the form still works; the server then falls
 * back to the newest versions when asked for a process alone. */

function fill(select, numbers, chosen) {
  select.replaceChildren(...numbers.map((number) => {
    const option = document.createElement("option");
    option.value = String(number);
    option.textContent = String(number);
    option.selected = number === chosen;
    return option;
  }));
}

export function wirePicker(form, definitions) {
  const process = form.querySelector("[data-diff-definition]");
  const from = form.querySelector("[data-diff-from]");
  const to = form.querySelector("[data-diff-to]");
  if (!process || !from || !to) { return; }
  process.addEventListener("change", () => {
    const chosen = definitions.find((item) => item.key === process.value);
    if (!chosen) { return; }
    const numbers = chosen.versions;
    const newest = numbers[numbers.length - 1];
    fill(to, numbers, newest);
    fill(from, numbers, numbers.length > 1 ? numbers[numbers.length - 2] : newest);
  });
}
