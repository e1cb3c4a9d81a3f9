"use strict";
// One pass over a moddle tree that collects what the alur/* rules look at, read the way the
// server reads the XML (engine/bpmn/diagram_rules.py with lxml): by namespace and tag, in
// document order, seeing extension elements whether moddle knows their type (a descriptor
// registered by the modeler) or keeps them generic ($children / $body).

const BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core";
const CONTAINER_TYPES = new Set(["bpmn:SubProcess", "bpmn:Transaction", "bpmn:AdHocSubProcess"]);
const SCRIPT_EXTENSIONS = new Set(["preScript", "postScript", "script"]);
// bpmn properties whose XML tags the server checks as expressions (EXPRESSION_TAGS).
const EXPRESSION_TAGS = new Set([
  "conditionExpression", "condition", "timeDate", "timeDuration", "timeCycle",
  "loopCardinality", "completionCondition", "loopCondition",
]);
const SIMPLE_TYPES = new Set(["String", "Boolean", "Integer", "Real"]);
// Diagram interchange (shapes, edges, waypoints) holds none of what the rules read: skip it.
const SKIPPED_PROPERTIES = new Set(["diagrams"]);

/** The namespace URI of an element, generic or typed. */
function namespaceOf(element) {
  const descriptor = element.$descriptor || {};
  if (descriptor.isGeneric) return descriptor.ns && descriptor.ns.uri;
  return descriptor.$pkg && descriptor.$pkg.uri;
}

/** The XML local name: a generic element's as written; a typed one's type name with its
 * first letter lowered (bpmn and the spiffworkflow descriptors alias tags to lower case). */
function localNameOf(element) {
  const descriptor = element.$descriptor || {};
  const name = (descriptor.ns && descriptor.ns.localName) || "";
  return descriptor.isGeneric ? name : name.charAt(0).toLowerCase() + name.slice(1);
}

/** Contained child elements, in the order moddle keeps them, each with the name of the
 * property holding it (a contained BPMN element's XML tag for single-valued ones). */
function childrenOf(element) {
  const descriptor = element.$descriptor || {};
  if (descriptor.isGeneric) return (element.$children || []).map((child) => [child, null]);
  const found = [];
  for (const property of descriptor.properties || []) {
    if (property.isAttr || property.isReference || SIMPLE_TYPES.has(property.type)
        || SKIPPED_PROPERTIES.has(property.name)) continue;
    const value = element[property.name];
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      if (item && typeof item === "object" && item.$descriptor) found.push([item, property.name]);
    }
  }
  return found;
}

/** The text of an element: a bpmn:Expression's body, a generic element's $body, or a
 * typed extension's body property. */
function textOf(element) {
  const descriptor = element.$descriptor || {};
  if (descriptor.isGeneric) return element.$body;
  const body = (descriptor.properties || []).find((property) => property.isBody);
  return body ? element[body.name] : undefined;
}

/** `spiffworkflow:property` name -> value of an element's own extension properties, as
 * read_properties: later duplicates win, a property without a name is skipped. */
function readProperties(element) {
  const properties = {};
  const values = (element.extensionElements && element.extensionElements.values) || [];
  for (const container of values) {
    if (!isSpiff(container, "properties")) continue;
    for (const [item] of childrenOf(container)) {
      if (isSpiff(item, "property") && item.name) properties[item.name] = item.value ?? "";
    }
  }
  return properties;
}

function isSpiff(element, localName) {
  return namespaceOf(element) === SPIFF_NS && localNameOf(element) === localName;
}

/** Depth-first, parents before children: [element, ancestors (outermost first), tag]. */
function* walk(root) {
  const stack = [[root, [], null]];
  while (stack.length) {
    const [element, ancestors, tag] = stack.pop();
    yield [element, ancestors, tag];
    const inner = [...ancestors, element];
    const children = childrenOf(element);
    for (let i = children.length - 1; i >= 0; i -= 1) {
      stack.push([children[i][0], inner, children[i][1]]);
    }
  }
}

/** What the rules need from one diagram, in one walk (each rule walks once per lint; the
 * SOP's ~300 model elements take well under a millisecond). */
function scanDiagram(definitions) {
  const scan = {
    userTasks: [], lanes: [], laneOfElement: new Map(), scriptTasks: [], scriptOwners: [],
    expressions: [], gateways: [], flows: [], processesWithLanes: new Set(),
  };
  for (const [element, ancestors, tag] of walk(definitions)) {
    collect(scan, element, ancestors, tag);
  }
  return scan;
}

function collect(scan, element, ancestors, tag) {
  const type = element.$type;
  const process = ancestors.find((item) => item.$type === "bpmn:Process");
  if (type === "bpmn:UserTask") scan.userTasks.push({ element, ancestors, process });
  if (type === "bpmn:ScriptTask") scan.scriptTasks.push(element);
  if (type === "bpmn:ExclusiveGateway" || type === "bpmn:InclusiveGateway") {
    scan.gateways.push({ element, process });
  }
  if (type === "bpmn:SequenceFlow") scan.flows.push({ element, process });
  if (type === "bpmn:Lane") collectLane(scan, element, process);
  if (type === "bpmn:ExtensionElements") {
    const names = scriptExtensions(element);
    if (names.length) scan.scriptOwners.push({ element: ancestors[ancestors.length - 1], names });
  }
  const field = expressionField(element, tag);
  if (field) scan.expressions.push({ element, field, owner: ownerOf(ancestors) });
}

function collectLane(scan, lane, process) {
  scan.lanes.push(lane);
  if (process) scan.processesWithLanes.add(process);
  for (const node of lane.flowNodeRef || []) {
    if (node && node.id) scan.laneOfElement.set(node.id, lane);
  }
}

/** The tag of an expression the server checks (EXPRESSION_TAGS, messagePayload), else null. */
function expressionField(element, tag) {
  if (namespaceOf(element) === BPMN_NS) return EXPRESSION_TAGS.has(tag) ? tag : null;
  return isSpiff(element, "messagePayload") ? "messagePayload" : null;
}

/** The names of script extensions anywhere below an extensionElements, in any
 * namespace, sorted and each once. */
function scriptExtensions(extensionElements) {
  const names = new Set();
  for (const [element] of walk(extensionElements)) {
    if (SCRIPT_EXTENSIONS.has(localNameOf(element))) names.add(localNameOf(element));
  }
  return [...names].sort();
}

/** The element an expression belongs to: its nearest ancestor with an id that is not an
 * event definition or loop characteristics (what a modeller clicks to fix it). */
function ownerOf(ancestors) {
  for (let i = ancestors.length - 1; i >= 0; i -= 1) {
    const name = localNameOf(ancestors[i]);
    if (ancestors[i].id && !name.endsWith("EventDefinition") && !name.endsWith("LoopCharacteristics")) {
      return ancestors[i];
    }
  }
  return null;
}

/** The lane of a flow node as SpiffWorkflow sees it: an embedded subprocess passes its
 * lane down to its children, the outermost one first (engine.bpmn.lanes.lane_element_of). */
function laneOf(task, scan) {
  const containers = task.ancestors.filter((item) => CONTAINER_TYPES.has(item.$type));
  for (const item of [...containers, task.element]) {
    const lane = scan.laneOfElement.get(item.id);
    if (lane) return lane;
  }
  return null;
}

module.exports = {
  SPIFF_NS, scanDiagram, readProperties, laneOf, textOf, localNameOf, walk,
};
