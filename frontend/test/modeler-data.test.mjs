// The data wiring the editor's panel edits (src/modeler/panel/wiring.js) on the real SOP:
// multi-instance collections and element variables, process inputs and outputs with their
// inputSet/outputSet refs, and what a call activity passes. Each change is applied as the
// panel's command would apply it, then saved with bpmn-moddle: the XML must differ from
// the unchanged save in exactly the lines the change is about, with every id kept.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { BpmnModdle } from "bpmn-moddle";

import { spiffDescriptor } from "../src/modeler/moddle.js";
import { restoreUnresolvedReferences } from "../src/modeler/references.js";
import {
  addIoChanges,
  applyChanges,
  callMapping,
  collectionChanges,
  collectionChoices,
  collectionOf,
  contained,
  freeId,
  idClash,
  itemChanges,
  itemVariable,
  processIo,
  removeIoChanges,
  renameIoChanges,
  usersOf,
  variableNameProblem,
} from "../src/modeler/panel/wiring.js";

const SOP = readFileSync(new URL("../../bpmn/sop-pengelolaan-kinerja.bpmn", import.meta.url), "utf8");

async function load(xml) {
  const moddle = new BpmnModdle({ spiffworkflow: spiffDescriptor(xml) });
  const { rootElement, warnings } = await moddle.fromXML(xml);
  restoreUnresolvedReferences(moddle, warnings);
  const byId = Object.fromEntries(contained(rootElement).filter((o) => o.id).map((o) => [o.id, o]));
  return { moddle, definitions: rootElement, byId };
}

async function save(definitions) {
  return (await moddle(definitions).toXML(definitions, { format: true })).xml;
}

function moddle(definitions) {
  return definitions.$model;
}

/** The lines of `after` that are not in `before` and those of `before` gone from `after`
 * (both as multisets), so a test can say exactly what a change did to the file. */
function lineDiff(before, after) {
  const count = (lines) => lines.reduce((map, line) => map.set(line, (map.get(line) || 0) + 1),
    new Map());
  const a = count(before.split("\n").map((l) => l.trim()));
  const b = count(after.split("\n").map((l) => l.trim()));
  const minus = (x, y) => [...x].flatMap(([line, n]) => Array(Math.max(0, n - (y.get(line) || 0)))
    .fill(line));
  return { added: minus(b, a), removed: minus(a, b) };
}

async function unchangedSave() {
  const { definitions } = await load(SOP);
  return save(definitions);
}

describe("multi-instance collections", () => {
  test("Task_10 and Call_OPD show their collections and element variables", async () => {
    const { byId } = await load(SOP);
    assert.equal(collectionOf(byId.Task_10, "input").name, "opd_peserta");
    assert.equal(collectionOf(byId.Task_10, "output").name, "pemetaan_opd");
    assert.equal(itemVariable(byId.Task_10, "input"), "opd");
    assert.equal(itemVariable(byId.Task_10, "output"), "pemetaan");
    assert.equal(collectionOf(byId.Call_OPD, "input").id, "DataInput_periode_opd_peserta");
    assert.equal(itemVariable(byId.Call_OPD, "output"), "laporan");
    assert.equal(collectionOf(byId.Task_06, "input"), null);
  });

  test("the pick lists offer the data in the activity's own process only", async () => {
    const { byId } = await load(SOP);
    const main = collectionChoices(byId.Task_10).map(({ item, kind }) => `${kind} ${item.id}`);
    assert.deepEqual(main, ["object DataObject_opd_peserta", "object DataObject_pemetaan_opd"]);
    const period = collectionChoices(byId.Call_OPD).map(({ item, kind }) => `${kind} ${item.name}`);
    assert.deepEqual(period, ["input opd_peserta", "input akhir_periode", "output laporan_periode",
      "output keputusan_periode", "output akhir_periode", "output rekomendasi_disetujui"]);
  });

  test("renaming the element variable changes that name only; ids stay", async () => {
    const before = await unchangedSave();
    const { moddle: m, definitions, byId } = await load(SOP);
    const changes = itemChanges(m, byId.Task_10, "input", "opd_item");
    assert.equal(changes.length, 1);
    assert.equal(changes[0].moddleElement.id, "InputItem_Task_10_opd");
    applyChanges(changes);
    const { added, removed } = lineDiff(before, await save(definitions));
    assert.deepEqual(removed, ['<bpmn:inputDataItem id="InputItem_Task_10_opd" name="opd" />']);
    assert.deepEqual(added, ['<bpmn:inputDataItem id="InputItem_Task_10_opd" name="opd_item" />']);
    assert.deepEqual(itemChanges(m, byId.Task_10, "input", "opd_item"), []);
  });

  test("the output collection can be removed and chosen again", async () => {
    const before = await unchangedSave();
    const { definitions, byId } = await load(SOP);
    const pemetaan = byId.DataObject_pemetaan_opd;
    applyChanges(collectionChanges(byId.Task_10, "output", null));
    let diff = lineDiff(before, await save(definitions));
    assert.deepEqual(diff.removed,
      ["<bpmn:loopDataOutputRef>DataObject_pemetaan_opd</bpmn:loopDataOutputRef>"]);
    assert.deepEqual(diff.added, []);
    applyChanges(collectionChanges(byId.Task_10, "output", pemetaan));
    diff = lineDiff(before, await save(definitions));
    assert.deepEqual(diff, { added: [], removed: [] });
    assert.deepEqual(collectionChanges(byId.Task_10, "output", pemetaan), []);
  });

  test("choosing an input collection replaces a loop cardinality", async () => {
    const xml = SOP.replace(
      "<bpmn:loopDataInputRef>DataObject_opd_peserta</bpmn:loopDataInputRef>",
      '<bpmn:loopCardinality xsi:type="bpmn:tFormalExpression">3</bpmn:loopCardinality>');
    const { definitions, byId } = await load(xml);
    applyChanges(collectionChanges(byId.Task_10, "input", byId.DataObject_opd_peserta));
    const saved = await save(definitions);
    assert.doesNotMatch(saved, /loopCardinality/);
    assert.match(saved, /<bpmn:loopDataInputRef>DataObject_opd_peserta<\/bpmn:loopDataInputRef>/);
  });

  test("an element variable is created when missing, removed when emptied", async () => {
    const { moddle: m, definitions, byId } = await load(SOP);
    applyChanges(itemChanges(m, byId.Call_OPD, "output", ""));
    let saved = await save(definitions);
    assert.doesNotMatch(saved, /OutputItem_Call_OPD_laporan/);
    applyChanges(itemChanges(m, byId.Call_OPD, "output", "laporan"));
    saved = await save(definitions);
    assert.match(saved, /<bpmn:outputDataItem id="OutputItem_Call_OPD_laporan" name="laporan" \/>/);
    // in the same place as before: after inputDataItem, inside the characteristics
    const block = /<bpmn:callActivity id="Call_OPD"[\s\S]*?<\/bpmn:callActivity>/.exec(saved)[0];
    assert.ok(block.indexOf("inputDataItem") < block.indexOf("outputDataItem"));
    // an id already taken gets a suffix
    assert.equal(freeId(definitions, "OutputItem_Call_OPD_laporan"), "OutputItem_Call_OPD_laporan_2");
    assert.equal(freeId(definitions, "Task 10"), "Task_10_2");
    assert.equal(freeId(definitions, "OutputItem_Call_OPD_hasil"), "OutputItem_Call_OPD_hasil");
  });

  test("a SpiffArena collection named by variable survives an edit of its element", async () => {
    const xml = SOP.replace(
      "<bpmn:loopDataInputRef>DataObject_opd_peserta</bpmn:loopDataInputRef>",
      "<bpmn:loopDataInputRef>daftar_opd</bpmn:loopDataInputRef>");
    const { moddle: m, definitions, byId } = await load(xml);
    const kept = collectionOf(byId.Task_10, "input");
    assert.equal(kept.id, "daftar_opd");
    assert.ok(!collectionChoices(byId.Task_10).some(({ item }) => item === kept));
    applyChanges(itemChanges(m, byId.Task_10, "input", "satu_opd"));
    const saved = await save(definitions);
    assert.match(saved, /<bpmn:loopDataInputRef>daftar_opd<\/bpmn:loopDataInputRef>/);
    assert.match(saved, /<bpmn:inputDataItem id="InputItem_Task_10_opd" name="satu_opd" \/>/);
  });
});

describe("process inputs and outputs", () => {
  test("laporan_opd lists its inputs and outputs", async () => {
    const { byId } = await load(SOP);
    const { inputs, outputs } = processIo(byId.laporan_opd);
    assert.deepEqual(inputs.map((i) => i.name), ["opd", "akhir_periode"]);
    assert.deepEqual(outputs.map((i) => i.name), ["laporan"]);
    assert.deepEqual(processIo(byId.sop_pengelolaan_kinerja), { inputs: [], outputs: [] });
  });

  test("an input added to laporan_opd is listed in its inputSet", async () => {
    const before = await unchangedSave();
    const { moddle: m, definitions, byId } = await load(SOP);
    const changes = addIoChanges(m, byId.laporan_opd, "input", "tahun_anggaran");
    assert.equal(changes.length, 2);  // one undoable command of two steps
    applyChanges(changes);
    const { added, removed } = lineDiff(before, await save(definitions));
    assert.deepEqual(removed, []);
    assert.deepEqual(added.sort(), [
      '<bpmn:dataInput id="DataInput_laporan_opd_tahun_anggaran" name="tahun_anggaran" />',
      "<bpmn:dataInputRefs>DataInput_laporan_opd_tahun_anggaran</bpmn:dataInputRefs>",
    ]);
    const saved = await save(definitions);
    const spec = /<bpmn:process id="laporan_opd"[\s\S]*?<\/bpmn:ioSpecification>/.exec(saved)[0];
    // the new input comes after the other inputs, before the sets (BPMN's order)
    assert.ok(spec.indexOf("DataInput_laporan_opd_tahun_anggaran\"") < spec.indexOf("<bpmn:dataOutput "));
    assert.ok(spec.lastIndexOf("DataInput_laporan_opd_tahun_anggaran<")
      < spec.indexOf("</bpmn:inputSet>"));
  });

  test("renaming keeps the id, so the caller's collection still points at it", async () => {
    const { definitions, byId } = await load(SOP);
    const input = byId.DataInput_periode_opd_peserta;
    applyChanges(renameIoChanges(input, "peserta"));
    const again = await load(await save(definitions));
    assert.equal(again.byId.DataInput_periode_opd_peserta.name, "peserta");
    assert.equal(collectionOf(again.byId.Call_OPD, "input"), again.byId.DataInput_periode_opd_peserta);
    assert.deepEqual(renameIoChanges(input, "peserta"), []);
    assert.deepEqual(renameIoChanges(input, "  "), []);
  });

  test("removing an output drops it from the outputSet too", async () => {
    const before = await unchangedSave();
    const { definitions, byId } = await load(SOP);
    applyChanges(removeIoChanges(byId.laporan_opd, byId.DataOutput_laporan_opd_laporan));
    const { added, removed } = lineDiff(before, await save(definitions));
    assert.deepEqual(removed.sort(), [
      '<bpmn:dataOutput id="DataOutput_laporan_opd_laporan" name="laporan" />',
      "<bpmn:dataOutputRefs>DataOutput_laporan_opd_laporan</bpmn:dataOutputRefs>",
      "<bpmn:outputSet>",
      "</bpmn:outputSet>",
    ].sort());
    assert.deepEqual(added, ["<bpmn:outputSet />"]);
  });

  test("a process without inputs gets an ioSpecification, and loses it with the last one", async () => {
    const before = await unchangedSave();
    const { moddle: m, definitions, byId } = await load(SOP);
    const main = byId.sop_pengelolaan_kinerja;
    applyChanges(addIoChanges(m, main, "output", "ringkasan"));
    const saved = await save(definitions);
    const spec = /<bpmn:process id="sop_pengelolaan_kinerja"[\s\S]*?<\/bpmn:ioSpecification>/
      .exec(saved)[0];
    assert.match(spec, /<bpmn:ioSpecification>\s*<bpmn:dataOutput id="DataOutput_sop_pengelolaan_kinerja_ringkasan" name="ringkasan" \/>\s*<bpmn:inputSet \/>\s*<bpmn:outputSet>\s*<bpmn:dataOutputRefs>DataOutput_sop_pengelolaan_kinerja_ringkasan<\/bpmn:dataOutputRefs>\s*<\/bpmn:outputSet>\s*<\/bpmn:ioSpecification>$/);
    const output = main.ioSpecification.dataOutputs[0];
    assert.equal(output.$parent, main.ioSpecification);
    applyChanges(removeIoChanges(main, output));
    assert.deepEqual(lineDiff(before, await save(definitions)), { added: [], removed: [] });
  });

  test("what uses a data item (so it is not removed under them)", async () => {
    const { byId } = await load(SOP);
    assert.deepEqual(usersOf(byId.DataInput_periode_opd_peserta).map((u) => u.id), ["Call_OPD"]);
    assert.deepEqual(usersOf(byId.DataObject_opd_peserta).map((u) => u.id), ["Task_10"]);
    assert.deepEqual(usersOf(byId.DataInput_laporan_opd_opd), []);
  });

  test("variable names: Python names, no reserved word, no other element's id", async () => {
    const { byId } = await load(SOP);
    assert.equal(variableNameProblem("opd_2"), null);
    assert.equal(variableNameProblem(" "), "empty");
    assert.equal(variableNameProblem("2opd"), "invalid");
    assert.equal(variableNameProblem("opd-x"), "invalid");
    assert.equal(variableNameProblem("lambda"), "keyword");
    assert.equal(idClash(byId.laporan_opd, "Task_11", null).id, "Task_11");
    assert.equal(idClash(byId.laporan_opd, "Task_06", null), null);  // another process's
    assert.equal(idClash(byId.sop_pengelolaan_kinerja, "Task_10", null).id, "Task_10");
    // data items may share a name with another item's id: the server renames them all
    assert.equal(idClash(byId.sop_pengelolaan_kinerja, "InputItem_Task_10_opd", null), null);
    assert.equal(idClash(byId.sop_pengelolaan_kinerja, "DataObject_opd_peserta", null), null);
    assert.equal(idClash(byId.sop_pengelolaan_kinerja, "Task_10", byId.Task_10), null);
  });
});

describe("call activities", () => {
  test("Call_OPD passes one OPD per instance and collects the reports", async () => {
    const { byId } = await load(SOP);
    const mapping = callMapping(byId.Call_OPD);
    assert.equal(mapping.process, byId.laporan_opd);
    assert.deepEqual(mapping.inputs, [
      { name: "opd", via: { collection: "opd_peserta" } },
      { name: "akhir_periode", via: null },
    ]);
    assert.deepEqual(mapping.outputs, [{ name: "laporan", via: { collection: "laporan_periode" } }]);
  });

  test("Call_Periode passes by name; a process not in the diagram is said so", async () => {
    const { byId } = await load(SOP);
    const mapping = callMapping(byId.Call_Periode);
    assert.deepEqual(mapping.inputs.map((i) => i.name), ["opd_peserta", "akhir_periode"]);
    assert.equal(mapping.outputs.length, 4);
    assert.ok(mapping.outputs.every((o) => o.via === null));
    byId.Call_Periode.calledElement = "elsewhere";
    assert.deepEqual(callMapping(byId.Call_Periode),
      { called: "elsewhere", process: null, inputs: [], outputs: [] });
  });
});
