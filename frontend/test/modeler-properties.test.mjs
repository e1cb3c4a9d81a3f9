// The editor's spiffworkflow properties on the real SOP: one value changed through
// src/modeler/properties.js, everything else in the diagram's extensions exactly as before
// (what the properties panel does on save, minus the browser).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { BpmnModdle } from "bpmn-moddle";

import { mainProcessId } from "../src/modeler/processes.js";
import { spiffDescriptor } from "../src/modeler/moddle.js";
import {
  applyUpdate,
  findProperty,
  getProperty,
  listProperties,
  propertyUpdate,
} from "../src/modeler/properties.js";

const SOP = readFileSync(new URL("../../bpmn/sop-pengelolaan-kinerja.bpmn", import.meta.url), "utf8");

async function load(xml) {
  const moddle = new BpmnModdle({ spiffworkflow: spiffDescriptor(xml) });
  const { rootElement, warnings } = await moddle.fromXML(xml);
  const byId = {};
  const visit = (element) => {
    if (!element || typeof element !== "object" || !element.$type) return;
    if (element.id) byId[element.id] = element;
    for (const key of Object.keys(element)) {
      if (key.startsWith("$") || key === "extensionElements") continue;
      const value = element[key];
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === "object" && value.$type && value.$parent === element) visit(value);
    }
  };
  visit(rootElement);
  return { moddle, definitions: rootElement, byId, warnings };
}

/** Every spiffworkflow:property of the diagram as "owner id | name | value", in order. */
function allProperties(byId) {
  return Object.values(byId).flatMap((element) => listProperties(element)
    .map(([name, value]) => `${element.id} | ${name} | ${value}`));
}

async function save(moddle, definitions) {
  return (await moddle.toXML(definitions, { format: true })).xml;
}

describe("spiffworkflow properties on the SOP", () => {
  test("the SOP loads with no element dropped", async () => {
    const { warnings, byId } = await load(SOP);
    assert.deepEqual(warnings.filter((w) => /unparsable|unknown type/.test(w.message)), []);
    assert.equal(getProperty(byId.Task_06, "waktu_hari_kerja"), "2");
    assert.equal(getProperty(byId.Lane_Main_PJ, "opd_variable"), "opd");
    assert.equal(getProperty(byId.sop_pengelolaan_kinerja, "context_keys").split(" ")[0], "tahun_anggaran");
  });

  test("changing row 6's waktu keeps every other property as it was", async () => {
    const { moddle, definitions, byId } = await load(SOP);
    const before = allProperties(byId);
    assert.ok(before.length > 100, `only ${before.length} properties read`);
    applyUpdate(propertyUpdate(moddle, byId.Task_06, "waktu_hari_kerja", "3"));
    const again = await load(await save(moddle, definitions));
    const after = allProperties(again.byId);
    const changed = "Task_06 | waktu_hari_kerja | 3";
    assert.deepEqual(after, before.map((line) => (
      line === "Task_06 | waktu_hari_kerja | 2" ? changed : line)));
    assert.ok(after.includes(changed));
  });

  test("a property on an element without extensions is created, and removed again", async () => {
    const { moddle, definitions, byId } = await load(SOP);
    const gateway = byId.GW_17;
    assert.equal(gateway.extensionElements, undefined);
    applyUpdate(propertyUpdate(moddle, gateway, "sop_step", "17"));
    let reread = await load(await save(moddle, definitions));
    assert.equal(getProperty(reread.byId.GW_17, "sop_step"), "17");
    applyUpdate(propertyUpdate(reread.moddle, reread.byId.GW_17, "sop_step", ""));
    reread = await load(await save(reread.moddle, reread.definitions));
    assert.equal(findProperty(reread.byId.GW_17, "sop_step"), null);
  });

  test("a lane gets its role beside its opd_variable", async () => {
    const { moddle, definitions, byId } = await load(SOP);
    applyUpdate(propertyUpdate(moddle, byId.Lane_Main_PJ, "role", "pj_kinerja"));
    const { byId: reread } = await load(await save(moddle, definitions));
    assert.deepEqual(listProperties(reread.Lane_Main_PJ),
      [["opd_variable", "opd"], ["role", "pj_kinerja"]]);
  });

  test("setting the value a property already has changes nothing", async () => {
    const { moddle, byId } = await load(SOP);
    assert.equal(propertyUpdate(moddle, byId.Task_06, "form_key", "persetujuan-rencana"), null);
    assert.equal(propertyUpdate(moddle, byId.Task_06, "not_there", ""), null);
  });

  test("a repeated name: the last entry is the one read and changed (as the engine)", async () => {
    const xml = SOP.replace('<spiffworkflow:property name="waktu_hari_kerja" value="2"/>',
      '<spiffworkflow:property name="waktu_hari_kerja" value="2"/>'
      + '<spiffworkflow:property name="waktu_hari_kerja" value="7"/>');
    const { moddle, byId } = await load(xml);
    assert.equal(getProperty(byId.Task_06, "waktu_hari_kerja"), "7");
    applyUpdate(propertyUpdate(moddle, byId.Task_06, "waktu_hari_kerja", "8"));
    assert.deepEqual(listProperties(byId.Task_06).filter(([name]) => name === "waktu_hari_kerja"),
      [["waktu_hari_kerja", "2"], ["waktu_hari_kerja", "8"]]);
  });

  test("the main process is the executable one no call activity calls", async () => {
    const { definitions } = await load(SOP);
    assert.equal(mainProcessId(definitions), "sop_pengelolaan_kinerja");
  });
});
