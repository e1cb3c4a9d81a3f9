/**
 * The `spiffworkflow` namespace for bpmn-js's moddle: the typed part the editor works with
 * (properties/property, pre/post scripts) and, for every other element name the opened
 * diagram uses in that namespace, a generic type that keeps it whole.
 *
 * Why generic types: once a namespace is declared, moddle drops every element of it that
 * the descriptor does not name ("unparsable content", gone on save). SpiffArena writes many
 * more (serviceTaskOperator, instructionsForEndUser, unitTests, ...), and newer versions
 * add names we cannot know today. So the descriptor is built per diagram: our types, plus
 * one catch-all type (body text, any children; unknown attributes stay in $attrs) per name
 * seen. Our typed elements also take any child, so nothing inside them is lost either.
 *
 * Pure (no DOM): the node tests and the lint rules' tests load diagrams with it.
 */

export const SPIFF_URI = "http://spiffworkflow.org/bpmn/schema/1.0/core";
export const SPIFF_PREFIX = "spiffworkflow";

const ANY_CHILDREN = { name: "values", type: "Element", isMany: true };

/** The element types our editor and lint rules read; tag names are lower camel case. */
export const BASE_TYPES = [
  {
    name: "Properties",
    superClass: ["Element"],
    properties: [{ name: "properties", type: "Property", isMany: true }, ANY_CHILDREN],
  },
  {
    name: "Property",
    superClass: ["Element"],
    properties: [
      { name: "name", isAttr: true, type: "String" },
      { name: "value", isAttr: true, type: "String" },
      ANY_CHILDREN,
    ],
  },
  { name: "PreScript", superClass: ["Element"],
    properties: [{ name: "value", isBody: true, type: "String" }] },
  { name: "PostScript", superClass: ["Element"],
    properties: [{ name: "value", isBody: true, type: "String" }] },
];

const ELEMENT_NAME = new RegExp(`<${SPIFF_PREFIX}:([A-Za-z_][\\w.-]*)`, "g");
const PREFIX_DECLARATION = /xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']/g;

function typeName(tag) {
  return tag.charAt(0).toUpperCase() + tag.slice(1);
}

/** The element names (as written, e.g. "serviceTaskOperator") the XML uses in the
 * spiffworkflow namespace, under whatever prefix the file binds to it. */
export function spiffElementNames(xml) {
  const prefixes = new Set();
  for (const [, prefix, uri] of (xml || "").matchAll(PREFIX_DECLARATION)) {
    if (uri === SPIFF_URI) prefixes.add(prefix);
  }
  const names = new Set();
  for (const prefix of prefixes) {
    const pattern = prefix === SPIFF_PREFIX ? ELEMENT_NAME
      : new RegExp(`<${prefix.replace(/\./g, "\\.")}:([A-Za-z_][\\w.-]*)`, "g");
    for (const [, name] of xml.matchAll(pattern)) names.add(name);
  }
  return names;
}

/** The moddle descriptor for this diagram: ours plus a keep-it-whole type per other name. */
export function spiffDescriptor(xml = "") {
  const known = new Set(BASE_TYPES.map((type) => type.name));
  const extra = [...spiffElementNames(xml)]
    .map(typeName)
    .filter((name) => !known.has(name))
    .map((name) => {
      known.add(name);
      return {
        name,
        superClass: ["Element"],
        properties: [{ name: "body", isBody: true, type: "String" }, ANY_CHILDREN],
      };
    });
  return {
    name: "SpiffWorkflow",
    uri: SPIFF_URI,
    prefix: SPIFF_PREFIX,
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [...BASE_TYPES, ...extra],
  };
}
