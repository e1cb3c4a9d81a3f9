/* Dynamic lists: "Tambah baris" clones the row <template>, numbering its __ROWn__ tokens;
 * "Hapus baris" removes a row. Names keep their numbers; the server closes the gaps. */

const TOKEN_ATTRIBUTES = ["name", "id", "for", "aria-describedby", "data-scope"];

/** Append a row from the list's template; returns the new row. */
export function addRow(list) {
  const template = list.querySelector(":scope > template[data-row-template]");
  const index = Number(list.getAttribute("data-next-index") || "0");
  const fragment = template.content.cloneNode(true);
  fillTokens(fragment, `__ROW${list.getAttribute("data-depth")}__`, String(index));
  list.setAttribute("data-next-index", String(index + 1));
  const row = fragment.querySelector("[data-row]");
  list.querySelector(":scope > [data-rows]").appendChild(fragment);
  renumber(list);
  return row;
}

/** Remove the row holding `button`; focus moves to the list's "add" button. */
export function removeRow(button) {
  const row = button.closest("[data-row]");
  const list = row.closest("[data-dynlist]");
  row.remove();
  renumber(list);
  const add = list.querySelector(":scope > [data-add-row]");
  if (add) { add.focus(); }
}

function renumber(list) {
  Array.from(list.querySelector(":scope > [data-rows]").children).forEach((row, index) => {
    const number = row.querySelector("[data-row-number]");
    if (number) { number.textContent = String(index + 1); }
  });
}

/** Replace `token` by `index` in the row's names and ids, nested row templates included. */
function fillTokens(node, token, index) {
  node.querySelectorAll("*").forEach((element) => {
    TOKEN_ATTRIBUTES.forEach((attribute) => {
      const value = element.getAttribute(attribute);
      if (value && value.includes(token)) { element.setAttribute(attribute, value.split(token).join(index)); }
    });
    if (element.tagName === "TEMPLATE") { fillTokens(element.content, token, index); }
  });
}
