/**
 * bpmn-js's `translate` service, answering from the page's dictionary: the palette, context
 * pad, properties panel and lint button are written in English in the libraries, and the
 * page gives their Indonesian (or English) text through gettext. A string the dictionary
 * lacks is shown as the library wrote it; `{name}` slots are filled either way.
 * (Lint messages come already in the reader's language from ./lint/config.js.)
 */

function fill(template, replacements) {
  return template.replace(/{([^}]+)}/g, (whole, key) => (
    replacements && key in replacements ? replacements[key] : whole));
}

/** The dictionary's text for a message, or the message itself. */
export function translateMessage(dictionary, message) {
  return Object.prototype.hasOwnProperty.call(dictionary, message) ? dictionary[message] : message;
}

export function translateModule(dictionary) {
  const translate = (template, replacements) => fill(
    translateMessage(dictionary, template), replacements);
  return { translate: ["value", translate] };
}
