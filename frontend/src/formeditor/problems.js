/**
 * The server's refusal of a form (400 invalid_form, from engine.forms.check_form) names the
 * component at fault: "Form 'x' component 'nama_field' has the unsupported type 'button'".
 * Find that component in the editor and select it, so its properties are open beside the
 * message. A structured name in the details is preferred when the server gives one.
 */

const NAMED = /component (['"])(.+?)\1/;

export function namedComponent(error) {
  const details = error.details || {};
  if (typeof details.component === "string") { return details.component; }
  const found = NAMED.exec(error.message || "");
  return found ? found[2] : null;
}

export function findField(editor, name) {
  if (!name) { return null; }
  const fields = editor.get("formFieldRegistry").getAll();
  return fields.find((f) => f.type !== "default"
    && (f.key === name || f.path === name || f.id === name)) || null;
}

/** Select the field in the editor and bring it into view; false when it is not there. */
export function selectField(editor, root, field) {
  if (!field) { return false; }
  editor.get("selection").set(field);
  const node = root.querySelector(`.fjs-form-container [data-id="${CSS.escape(field.id)}"]`);
  if (node) { node.scrollIntoView({ block: "center" }); }
  return true;
}
