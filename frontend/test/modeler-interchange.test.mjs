// What the editor's moddle set-up (src/modeler/moddle.js, references.js) keeps on a save:
// a SpiffArena-style diagram's spiffworkflow elements we do not type, collections named by
// variable, and every OMG interchange reference model's ids and types.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { BpmnModdle } from "bpmn-moddle";

import { spiffDescriptor, spiffElementNames } from "../src/modeler/moddle.js";
import { restoreUnresolvedReferences } from "../src/modeler/references.js";

const SPIFF_STYLE = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs" targetNamespace="x">
  <bpmn:process id="Proc" isExecutable="true">
    <bpmn:startEvent id="Start"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="Call" name="Call API">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="http/GetRequest" resultVariable="answer">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="url" type="str" value="'https://example.org'"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
        <spiffworkflow:instructionsForEndUser>## Hello &lt;b&gt;{{ name }}&lt;/b&gt;</spiffworkflow:instructionsForEndUser>
        <spiffworkflow:properties>
          <spiffworkflow:property name="sop_step" value="3"/>
          <spiffworkflow:futureThing level="2"/>
        </spiffworkflow:properties>
        <spiffworkflow:unitTests>
          <spiffworkflow:unitTest id="t1"><spiffworkflow:inputJson>{"a": 1}</spiffworkflow:inputJson></spiffworkflow:unitTest>
        </spiffworkflow:unitTests>
      </bpmn:extensionElements>
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics spiffworkflow:scriptsOnInstances="true">
        <bpmn:loopDataInputRef>people</bpmn:loopDataInputRef>
        <bpmn:loopDataOutputRef>answers</bpmn:loopDataOutputRef>
        <bpmn:inputDataItem id="person" name="person"/>
        <bpmn:outputDataItem id="one_answer" name="one_answer"/>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:serviceTask>
    <bpmn:endEvent id="End"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Call"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Call" targetRef="End"/>
  </bpmn:process>
</bpmn:definitions>`;

async function roundTrip(xml) {
  const moddle = new BpmnModdle({ spiffworkflow: spiffDescriptor(xml) });
  const { rootElement, warnings } = await moddle.fromXML(xml);
  restoreUnresolvedReferences(moddle, warnings);
  return { xml: (await moddle.toXML(rootElement, { format: true })).xml, warnings };
}

/** The diagram as a generic tree (no descriptor of ours): every element's tag, attributes
 * and text, in order, so two files can be compared in meaning. */
async function shape(xml) {
  const { rootElement } = await new BpmnModdle().fromXML(xml);
  const seen = new Set();
  const lines = [];
  const visit = (element, depth) => {
    if (!element || typeof element !== "object" || seen.has(element)) return;
    seen.add(element);
    const type = element.$type || "?";
    const attrs = Object.entries(element.$attrs || {}).filter(([k]) => !k.startsWith("xmlns"))
      .map(([k, v]) => `${k}=${v}`).sort();
    const own = Object.entries(element).filter(([k, v]) => !k.startsWith("$")
      && (typeof v === "string" || typeof v === "boolean" || typeof v === "number"))
      .map(([k, v]) => `${k}=${v}`).sort();
    lines.push(`${"  ".repeat(depth)}${type} ${[...own, ...attrs].join(" ")} ${(element.$body || "").trim()}`);
    for (const [key, value] of Object.entries(element)) {
      if (key === "$parent" || key === "$attrs" || key === "$descriptor" || key === "$model") continue;
      const items = Array.isArray(value) ? value : [value];
      for (const item of items) {
        if (item && typeof item === "object" && item.$type) {
          if (item.$parent && item.$parent !== element) lines.push(`${"  ".repeat(depth + 1)}-> ${item.id}`);
          else visit(item, depth + 1);
        }
      }
    }
  };
  visit(rootElement, 0);
  return lines;
}

describe("diagrams from other tools survive a save", () => {
  test("the descriptor names every spiffworkflow element the file uses", () => {
    assert.deepEqual([...spiffElementNames(SPIFF_STYLE)].sort(), [
      "futureThing", "inputJson", "instructionsForEndUser", "parameter", "parameters",
      "properties", "property", "serviceTaskOperator", "unitTest", "unitTests"]);
  });

  test("a SpiffArena-style diagram keeps its extensions and variable-named collections", async () => {
    const { xml, warnings } = await roundTrip(SPIFF_STYLE);
    assert.deepEqual(warnings.filter((w) => /unparsable/.test(w.message)), []);
    assert.deepEqual(await shape(xml), await shape(SPIFF_STYLE));
    assert.match(xml, /<bpmn:loopDataInputRef>people<\/bpmn:loopDataInputRef>/);
    assert.match(xml, /<spiffworkflow:futureThing level="2" \/>/);
  });

  test("a prefix other than spiffworkflow is read as the same namespace", async () => {
    const renamed = SPIFF_STYLE.replaceAll("spiffworkflow:", "spiff:")
      .replace("xmlns:spiffworkflow=", "xmlns:spiff=");
    assert.ok(spiffElementNames(renamed).has("serviceTaskOperator"));
    const { warnings } = await roundTrip(renamed);
    assert.deepEqual(warnings.filter((w) => /unparsable/.test(w.message)), []);
  });

  test("the SOP saves back with the same meaning", async () => {
    const sop = readFileSync(new URL("../../bpmn/sop-pengelolaan-kinerja.bpmn", import.meta.url), "utf8");
    const { xml } = await roundTrip(sop);
    assert.deepEqual(await shape(xml), await shape(sop));
  });

  const folder = new URL("../../../shared/conformance/miwg-reference/", import.meta.url);
  let files = [];
  try {
    files = readdirSync(folder).filter((name) => name.endsWith(".bpmn"));
  } catch {
    files = [];
  }
  for (const name of files) {
    test(`MIWG ${name} keeps its ids and types`, async () => {
      const source = readFileSync(new URL(name, folder), "utf8");
      const { xml } = await roundTrip(source);
      const idsAndTypes = async (text) => (await shape(text))
        .map((line) => line.trim()).filter((line) => / id=/.test(line))
        .map((line) => `${line.split(" ")[0]} ${/ id=(\S+)/.exec(line)[1]}`).sort();
      assert.deepEqual(await idsAndTypes(xml), await idsAndTypes(source));
    });
  }
});
