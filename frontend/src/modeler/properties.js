/**
 * Reading and changing `<spiffworkflow:property name=".." value=".."/>` entries of a BPMN
 * element (its `extensionElements/spiffworkflow:properties`), the way the engine reads them.
 *
 * A change is described, not applied: `propertyUpdate` returns the moddle element to change
 * and the new values of its properties, which the editor hands to bpmn-js's
 * `modeling.updateModdleProperties` (one undoable command) and the node tests apply
 * directly. Only the one entry named is touched: every other extension element and
 * property, ours or not, stays as it was, in its place.
 *
 * Pure (no DOM, no bpmn-js services), so the node tests run it on the real SOP diagram.
 */

export const PROPERTIES = "spiffworkflow:Properties";
export const PROPERTY = "spiffworkflow:Property";
const EXTENSIONS = "bpmn:ExtensionElements";

function isType(object, type) {
  return Boolean(object && object.$instanceOf && object.$instanceOf(type));
}

/** The element's first `spiffworkflow:properties` container, or null. */
export function findPropertiesElement(businessObject) {
  const values = (businessObject && businessObject.extensionElements
    && businessObject.extensionElements.values) || [];
  return values.find((value) => isType(value, PROPERTIES)) || null;
}

/** The `spiffworkflow:property` named `name`, or null. When a name is repeated, the last
 * one counts, as the engine reads them (engine/bpmn: later entries win). */
export function findProperty(businessObject, name) {
  const values = (businessObject && businessObject.extensionElements
    && businessObject.extensionElements.values) || [];
  let found = null;
  for (const container of values.filter((value) => isType(value, PROPERTIES))) {
    for (const property of container.properties || []) {
      if (property.name === name) found = property;
    }
  }
  return found;
}

/** The value of property `name`, or "" when absent. */
export function getProperty(businessObject, name) {
  const property = findProperty(businessObject, name);
  return property && property.value != null ? String(property.value) : "";
}

/** Every property as [name, value] pairs, in document order (for "other properties"). */
export function listProperties(businessObject) {
  const values = (businessObject && businessObject.extensionElements
    && businessObject.extensionElements.values) || [];
  return values.filter((value) => isType(value, PROPERTIES))
    .flatMap((container) => (container.properties || []).map((p) => [p.name, p.value ?? ""]));
}

function created(moddle, type, attrs, parent) {
  const object = moddle.create(type, attrs);
  object.$parent = parent;
  return object;
}

/**
 * What to change so that property `name` holds `value` ("" or null removes it):
 * {moddleElement, properties} for updateModdleProperties, or null when nothing changes.
 * Creates the extensionElements / properties containers only when a value is set.
 */
export function propertyUpdate(moddle, businessObject, name, value) {
  const text = value == null ? "" : String(value);
  const existing = findProperty(businessObject, name);
  if (existing) {
    if (text === "") {
      const container = existing.$parent;
      return { moddleElement: container,
        properties: { properties: container.properties.filter((p) => p !== existing) } };
    }
    return existing.value === text ? null
      : { moddleElement: existing, properties: { value: text } };
  }
  if (text === "") return null;
  const container = findPropertiesElement(businessObject);
  if (container) {
    const property = created(moddle, PROPERTY, { name, value: text }, container);
    return { moddleElement: container,
      properties: { properties: [...(container.properties || []), property] } };
  }
  const extensions = businessObject.extensionElements;
  if (extensions) {
    const fresh = created(moddle, PROPERTIES, {}, extensions);
    fresh.properties = [created(moddle, PROPERTY, { name, value: text }, fresh)];
    return { moddleElement: extensions,
      properties: { values: [...(extensions.values || []), fresh] } };
  }
  const holder = created(moddle, EXTENSIONS, {}, businessObject);
  const fresh = created(moddle, PROPERTIES, {}, holder);
  fresh.properties = [created(moddle, PROPERTY, { name, value: text }, fresh)];
  holder.values = [fresh];
  return { moddleElement: businessObject, properties: { extensionElements: holder } };
}

/** Apply an update outside bpmn-js (tests, tools): what updateModdleProperties does. */
export function applyUpdate(update) {
  if (!update) return;
  for (const [key, value] of Object.entries(update.properties)) {
    update.moddleElement.set(key, value);
  }
}
