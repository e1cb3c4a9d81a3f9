/**
 * The data wiring the SOP relies on, read and changed the way SpiffWorkflow reads it:
 *
 * - multi-instance collections (`multiInstanceLoopCharacteristics`: `loopDataInputRef`,
 *   `loopDataOutputRef`, `inputDataItem name=`, `outputDataItem name=`): Task_10 and
 *   Call_OPD run once per OPD;
 * - a process's inputs and outputs (`ioSpecification` with dataInput/dataOutput, listed in
 *   its inputSet/outputSet): what a call activity passes in and gets back, by name;
 * - what a call activity therefore passes, given the process it calls.
 *
 * A change is described, not applied (as ../properties.js does): a list of
 * `{moddleElement, properties}` steps that the panel runs as one undoable command
 * (`properties-panel.multi-command-executor` of `element.updateModdleProperties`) and the
 * node tests apply directly with `applyChanges`. Ids never change: a rename changes `name`
 * only, so every reference (by id) still points at the same item, and the server's
 * engine/bpmn/datarefs.py still finds the variable by name.
 *
 * Pure (no DOM, no bpmn-js services).
 */

export const MULTI_INSTANCE = "bpmn:MultiInstanceLoopCharacteristics";

/** Python's reserved words: SpiffWorkflow's variable names are Python names. */
const KEYWORDS = new Set(["False", "None", "True", "and", "as", "assert", "async", "await",
  "break", "class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
  "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
  "raise", "return", "try", "while", "with", "yield"]);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isType(object, type) {
  return Boolean(object && object.$instanceOf && object.$instanceOf(type));
}

/** What is wrong with `name` as a variable name: null, "empty", "invalid" or "keyword"
 * (engine/bpmn/datarefs.py refuses the same at deploy). */
export function variableNameProblem(name) {
  const text = (name || "").trim();
  if (!text) return "empty";
  if (!IDENTIFIER.test(text)) return "invalid";
  if (KEYWORDS.has(text)) return "keyword";
  return null;
}

/** The variable a data item stands for: its name, else its id (as the server reads it). */
export function dataName(item) {
  return ((item && item.name) || "").trim() || (item && item.id) || "";
}

// ---- walking the model ------------------------------------------------------------------

/** The top of the model (the definitions) above `element`. */
export function rootOf(element) {
  let current = element;
  while (current && current.$parent) current = current.$parent;
  return current;
}

/** Every object contained under `root` (references are not followed), `root` included. */
export function contained(root) {
  const found = [];
  const seen = new Set();
  const visit = (object) => {
    if (!object || typeof object !== "object" || !object.$descriptor || seen.has(object)) return;
    seen.add(object);
    found.push(object);
    for (const property of object.$descriptor.properties || []) {
      if (property.isReference || property.isAttr) continue;
      const value = object[property.name];
      (Array.isArray(value) ? value : [value]).forEach(visit);
    }
  };
  visit(root);
  return found;
}

/** `base`, or `base_2`, `base_3`, ... : the first id nobody in the diagram has. */
export function freeId(root, base) {
  const taken = new Set(contained(root).map((object) => object.id).filter(Boolean));
  const clean = base.replace(/[^A-Za-z0-9_.-]/g, "_");
  if (!taken.has(clean)) return clean;
  let n = 2;
  while (taken.has(`${clean}_${n}`)) n += 1;
  return `${clean}_${n}`;
}

/** The process an element belongs to (a participant stands for its process). */
export function processOf(element) {
  let current = element;
  while (current) {
    if (isType(current, "bpmn:Participant")) return current.processRef || null;
    if (isType(current, "bpmn:Process")) return current;
    current = current.$parent;
  }
  return null;
}

function created(moddle, type, attrs, parent) {
  const object = moddle.create(type, attrs);
  object.$parent = parent;
  return object;
}

/** Apply changes outside bpmn-js (tests, tools): what updateModdleProperties does. */
export function applyChanges(changes) {
  for (const { moddleElement, properties } of changes || []) {
    for (const [key, value] of Object.entries(properties)) moddleElement.set(key, value);
  }
}

// ---- multi-instance collections ---------------------------------------------------------

/** The activity's multi-instance characteristics, or null. */
export function multiInstanceOf(activity) {
  const loop = activity && activity.loopCharacteristics;
  return isType(loop, MULTI_INSTANCE) ? loop : null;
}

/**
 * The data an activity's collection may name, nearest scope first: its own ioSpecification
 * inputs, then, in each enclosing subprocess and the process, their data objects and
 * ioSpecification inputs and outputs. Each: {item, kind: "object"|"input"|"output"}.
 */
export function collectionChoices(activity) {
  const choices = [];
  const seen = new Set();
  const add = (item, kind) => {
    if (item && !seen.has(item)) {
      seen.add(item);
      choices.push({ item, kind });
    }
  };
  const spec = activity && activity.ioSpecification;
  if (spec) spec.get("dataInputs").forEach((item) => add(item, "input"));
  let scope = activity && activity.$parent;
  while (scope) {
    if (isType(scope, "bpmn:Participant")) scope = scope.processRef;
    if (!scope) break;
    if (isType(scope, "bpmn:Process") || isType(scope, "bpmn:SubProcess")) {
      (scope.flowElements || []).filter((node) => isType(node, "bpmn:DataObject"))
        .forEach((item) => add(item, "object"));
      const own = scope.ioSpecification;
      if (own) {
        own.get("dataInputs").forEach((item) => add(item, "input"));
        own.get("dataOutputs").forEach((item) => add(item, "output"));
      }
    }
    if (isType(scope, "bpmn:Process")) break;
    scope = scope.$parent;
  }
  return choices;
}

const COLLECTIONS = { input: "loopDataInputRef", output: "loopDataOutputRef" };
const ITEMS = { input: "inputDataItem", output: "outputDataItem" };

/** The collection (`which`: "input" or "output") the activity names, or null. An item with
 * no place in the model (SpiffArena's bare variable name, kept by ../references.js) is
 * returned too: the panel shows it as a variable not declared as data. */
export function collectionOf(activity, which) {
  const loop = multiInstanceOf(activity);
  return (loop && loop.get(COLLECTIONS[which])) || null;
}

/**
 * Changes that make the activity's `which` collection `item` (null removes it). Naming an
 * input collection removes a loop cardinality: SpiffWorkflow refuses a multi-instance
 * activity with both.
 */
export function collectionChanges(activity, which, item) {
  const loop = multiInstanceOf(activity);
  if (!loop) return [];
  const property = COLLECTIONS[which];
  const current = loop.get(property) || null;
  const properties = {};
  if (current !== (item || null)) properties[property] = item || undefined;
  if (which === "input" && item && loop.loopCardinality) properties.loopCardinality = undefined;
  return Object.keys(properties).length ? [{ moddleElement: loop, properties }] : [];
}

/** The variable name of the activity's input or output element ("" when there is none). */
export function itemVariable(activity, which) {
  const loop = multiInstanceOf(activity);
  const item = loop && loop.get(ITEMS[which]);
  return item ? dataName(item) : "";
}

/**
 * Changes that name the activity's input (or output) element variable `name`: the existing
 * element keeps its id and gets the new name; a missing one is created (id
 * `InputItem_<activity>_<name>`, as the SOP names them); "" removes it.
 */
export function itemChanges(moddle, activity, which, name) {
  const loop = multiInstanceOf(activity);
  if (!loop) return [];
  const property = ITEMS[which];
  const text = (name || "").trim();
  const item = loop.get(property);
  if (!text) return item ? [{ moddleElement: loop, properties: { [property]: undefined } }] : [];
  if (item) return dataName(item) === text && item.name === text ? []
    : [{ moddleElement: item, properties: { name: text } }];
  const prefix = which === "input" ? "InputItem" : "OutputItem";
  const type = which === "input" ? "bpmn:DataInput" : "bpmn:DataOutput";
  const fresh = created(moddle, type,
    { id: freeId(rootOf(activity), `${prefix}_${activity.id}_${text}`), name: text }, loop);
  return [{ moddleElement: loop, properties: { [property]: fresh } }];
}

// ---- process inputs and outputs ---------------------------------------------------------

const IO = {
  input: { list: "dataInputs", sets: "inputSets", refs: "dataInputRefs",
    type: "bpmn:DataInput", set: "bpmn:InputSet", prefix: "DataInput" },
  output: { list: "dataOutputs", sets: "outputSets", refs: "dataOutputRefs",
    type: "bpmn:DataOutput", set: "bpmn:OutputSet", prefix: "DataOutput" },
};

/** The process's data inputs and outputs, in document order. */
export function processIo(process) {
  const spec = process && process.ioSpecification;
  return {
    inputs: spec ? [...spec.get("dataInputs")] : [],
    outputs: spec ? [...spec.get("dataOutputs")] : [],
  };
}

/**
 * Changes that add a data input (`kind` "input") or output named `name` to the process,
 * listed in its first inputSet (outputSet) as SpiffWorkflow needs: without the ref, the
 * item is ignored. A process without an ioSpecification gets one, with one inputSet and
 * one outputSet (BPMN wants both).
 */
export function addIoChanges(moddle, process, kind, name) {
  const io = IO[kind];
  const text = (name || "").trim();
  const id = freeId(rootOf(process), `${io.prefix}_${process.id}_${text}`);
  const spec = process.ioSpecification;
  if (!spec) {
    const fresh = created(moddle, "bpmn:InputOutputSpecification", {}, process);
    const item = created(moddle, io.type, { id, name: text }, fresh);
    const inputSet = created(moddle, "bpmn:InputSet", {}, fresh);
    const outputSet = created(moddle, "bpmn:OutputSet", {}, fresh);
    fresh.set(io.list, [item]);
    fresh.set("inputSets", [inputSet]);
    fresh.set("outputSets", [outputSet]);
    (kind === "input" ? inputSet : outputSet).set(io.refs, [item]);
    return [{ moddleElement: process, properties: { ioSpecification: fresh } }];
  }
  const item = created(moddle, io.type, { id, name: text }, spec);
  const first = spec.get(io.sets)[0];
  if (!first) {
    const set = created(moddle, io.set, {}, spec);
    set.set(io.refs, [item]);
    return [{ moddleElement: spec,
      properties: { [io.list]: [...spec.get(io.list), item], [io.sets]: [set] } }];
  }
  return [
    { moddleElement: spec, properties: { [io.list]: [...spec.get(io.list), item] } },
    { moddleElement: first, properties: { [io.refs]: [...first.get(io.refs), item] } },
  ];
}

/** Changes that rename a data input or output (its id stays, so its refs stay valid). */
export function renameIoChanges(item, name) {
  const text = (name || "").trim();
  return !text || item.name === text ? [] : [{ moddleElement: item, properties: { name: text } }];
}

/** Every data item an inputSet/outputSet lists (its *InputRefs / *OutputRefs). */
function refsIn(set) {
  return (set.$descriptor.properties || [])
    .filter((p) => p.isReference && p.isMany && /(Input|Output)Refs$/.test(p.name))
    .flatMap((p) => set[p.name] || []);
}

/**
 * Changes that remove a data input or output and every inputSet/outputSet ref to it. When
 * nothing is left (no inputs, no outputs, no refs), the ioSpecification goes too: for
 * SpiffWorkflow, no list and an empty list mean the same (all data passes).
 */
export function removeIoChanges(process, item) {
  const spec = process.ioSpecification;
  if (!spec) return [];
  const kind = spec.get("dataInputs").includes(item) ? "input"
    : spec.get("dataOutputs").includes(item) ? "output" : null;
  if (!kind) return [];
  const io = IO[kind];
  const other = IO[kind === "input" ? "output" : "input"];
  const rest = spec.get(io.list).filter((entry) => entry !== item);
  const sets = [...spec.get("inputSets"), ...spec.get("outputSets")];
  const leftRefs = sets.flatMap(refsIn).filter((ref) => ref !== item);
  if (!rest.length && !spec.get(other.list).length && !leftRefs.length) {
    return [{ moddleElement: process, properties: { ioSpecification: undefined } }];
  }
  const changes = [{ moddleElement: spec, properties: { [io.list]: rest } }];
  for (const set of spec.get(io.sets)) {
    const refs = set.get(io.refs);
    if (refs.includes(item)) {
      changes.push({ moddleElement: set, properties: { [io.refs]: refs.filter((r) => r !== item) } });
    }
  }
  return changes;
}

const USING = [
  ["bpmn:MultiInstanceLoopCharacteristics", "loopDataInputRef"],
  ["bpmn:MultiInstanceLoopCharacteristics", "loopDataOutputRef"],
  ["bpmn:DataInputAssociation", "sourceRef"],
  ["bpmn:DataOutputAssociation", "targetRef"],
  ["bpmn:DataInputAssociation", "targetRef"],
  ["bpmn:DataOutputAssociation", "sourceRef"],
];

/** The elements (activities, by their own business object) whose data wiring refers to
 * `item`: removing it would leave them pointing at nothing, so the panel refuses that. */
export function usersOf(item) {
  const users = new Set();
  for (const object of contained(rootOf(item))) {
    for (const [type, property] of USING) {
      if (!isType(object, type)) continue;
      const value = object.get(property);
      const hit = Array.isArray(value) ? value.includes(item) : value === item;
      if (hit && object.$parent) users.add(object.$parent);
    }
  }
  return [...users];
}

const DATA_ITEMS = ["bpmn:DataInput", "bpmn:DataOutput", "bpmn:DataObject"];

/** Another element of the process, not a data item, whose id is `name`, or null. The
 * server refuses such a name (engine/bpmn/datarefs.py rewrites data item ids to their
 * names, and the name would then shadow that element); `except` is ignored. */
export function idClash(process, name, except) {
  const text = (name || "").trim();
  if (!process || !text) return null;
  return contained(process).find((object) => object.id === text && object !== except
    && !DATA_ITEMS.some((type) => isType(object, type))) || null;
}

// ---- call activities --------------------------------------------------------------------

/** The process a call activity calls, from the same diagram, or null. */
export function calledProcess(callActivity) {
  const id = callActivity && callActivity.calledElement;
  if (!id) return null;
  const roots = rootOf(callActivity).rootElements || [];
  return roots.find((root) => isType(root, "bpmn:Process") && root.id === id) || null;
}

/**
 * What goes in and comes out of a call activity, by name: {called (the id it names),
 * process (or null when not in this diagram), inputs, outputs}. Each entry: {name, via}
 * where via is {collection: name} when a multi-instance element variable carries it (one
 * item per instance, or collected into the output collection), else null (the caller's
 * variable of the same name). Empty inputs (outputs) mean all data passes.
 */
export function callMapping(callActivity) {
  const process = calledProcess(callActivity);
  const { inputs, outputs } = processIo(process);
  const loop = multiInstanceOf(callActivity);
  const through = (which, name) => {
    if (!loop || itemVariable(callActivity, which) !== name) return null;
    const collection = collectionOf(callActivity, which);
    return collection ? { collection: dataName(collection) } : null;
  };
  return {
    called: (callActivity && callActivity.calledElement) || "",
    process,
    inputs: inputs.map((item) => ({ name: dataName(item), via: through("input", dataName(item)) })),
    outputs: outputs.map((item) => ({ name: dataName(item), via: through("output", dataName(item)) })),
  };
}
