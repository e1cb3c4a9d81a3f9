/**
 * Keep references that point at nothing in the file, so a save writes them back unchanged.
 *
 * moddle resolves every id reference while reading and silently drops the ones it cannot
 * find. SpiffArena writes a multi-instance collection as a plain variable name
 * (`<bpmn:loopDataInputRef>my_list</bpmn:loopDataInputRef>`), which SpiffWorkflow reads as
 * a name, so such a diagram would lose its collection on the first save. The import reports
 * each unresolved reference as a warning (element, property, id); here each one gets a
 * stand-in object carrying just that id, which moddle writes back as the same text.
 */

const UNRESOLVED = /^unresolved reference <(.*)>$/;

/** A stand-in for the missing target: an object of the property's type with that id. */
function standIn(moddle, element, propertyName, id) {
  const descriptor = element.$descriptor.propertiesByName[propertyName];
  const type = descriptor && descriptor.type;
  try {
    return moddle.create(type && type.includes(":") ? type : `bpmn:${type || "BaseElement"}`,
      { id });
  } catch {
    return moddle.create("bpmn:BaseElement", { id });
  }
}

/**
 * Put back every unresolved reference named in `warnings` (as returned by importXML or
 * moddle.fromXML). Returns how many were kept, for the page to mention if it wants.
 */
export function restoreUnresolvedReferences(moddle, warnings) {
  let kept = 0;
  for (const warning of warnings || []) {
    const match = UNRESOLVED.exec(warning.message || "");
    const { element, property } = warning;
    if (!match || !element || !property || !element.$descriptor) continue;
    const descriptor = element.$descriptor.propertiesByName[property];
    if (!descriptor || !descriptor.isReference) continue;
    const stand = standIn(moddle, element, property, warning.value || match[1]);
    if (descriptor.isMany) {
      element.get(property).push(stand);
    } else if (!element.get(property)) {
      element.set(property, stand);
    }
    kept += 1;
  }
  return kept;
}
