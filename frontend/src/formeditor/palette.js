/**
 * Keep the form editor to the component types the server can enforce.
 *
 * form-js-editor 1.23.0 has no option to choose its palette's entries: the palette (and
 * its search) lists every type in the `formFields` registry. This module, loaded with the
 * editor, removes the other types from that registry before anything is drawn, so a
 * process owner is never offered a button, an image, an iframe or a table the server
 * would refuse (engine/forms/schemas.py SUPPORTED_TYPES, handed over by the page). The
 * registry has no public way to remove a type; `_formFields` is the object the palette
 * itself reads. The server still checks every save.
 */

const ROOT_TYPE = "default";  // the form itself

export function restrictTypesModule(supportedTypes) {
  const keep = new Set([ROOT_TYPE, ...supportedTypes]);

  function RestrictTypes(formFields) {
    const registered = formFields._formFields || {};
    Object.keys(registered).forEach((type) => {
      if (!keep.has(type)) { delete registered[type]; }
    });
  }
  RestrictTypes.$inject = ["formFields"];

  return {
    __init__: ["alurRestrictTypes"],
    alurRestrictTypes: ["type", RestrictTypes],
  };
}
