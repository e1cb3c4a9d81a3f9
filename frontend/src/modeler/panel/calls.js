/**
 * The "Data masuk dan keluar" group on a call activity, read-only: which variables go into
 * the called process and which come back (its dataInputs and dataOutputs, passed by name
 * by SpiffWorkflow), and for a multi-instance call which of them is the element of the
 * collection. The lists are edited on the called process's pool; a button selects it.
 * Read-only here on purpose: one process may be called from several places, so its
 * inputs and outputs belong to it, not to one caller.
 */
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";

import { callMapping } from "./wiring.js";

export const GROUP_ID = "alur-call-data";

function rows(alur, entries, { viaWord, plainWord }) {
  return h("dl", null, entries.map(({ name, via }) => h("div", { class: "alur-other-row" }, [
    h("dt", null, name),
    h("dd", null, via ? alur.t(viaWord, { collection: via.collection }) : alur.t(plainWord)),
  ])));
}

function poolOf(elementRegistry, process) {
  return elementRegistry.filter((shape) => shape.type === "bpmn:Participant"
    && shape.businessObject.processRef === process)[0] || null;
}

function CallData({ element, id }) {
  const alur = useService("alurEditor");
  const elementRegistry = useService("elementRegistry");
  const selection = useService("selection");
  const canvas = useService("canvas");
  const mapping = callMapping(element.businessObject);
  const body = [];
  if (!mapping.called) {
    body.push(h("p", null, alur.t("callNone")));
  } else if (!mapping.process) {
    body.push(h("p", null, alur.t("callMissing", { id: mapping.called })));
  } else {
    const name = mapping.process.name || mapping.process.id;
    body.push(h("p", { class: "alur-other-title" }, alur.t("callProcess", { name })));
    body.push(h("p", { class: "alur-call-heading" }, alur.t("callIn")));
    body.push(mapping.inputs.length
      ? rows(alur, mapping.inputs, { viaWord: "callFromItem", plainWord: "callByName" })
      : h("p", { class: "alur-io-empty" }, alur.t("callAllIn")));
    body.push(h("p", { class: "alur-call-heading" }, alur.t("callOut")));
    body.push(mapping.outputs.length
      ? rows(alur, mapping.outputs, { viaWord: "callToCollection", plainWord: "callByName" })
      : h("p", { class: "alur-io-empty" }, alur.t("callAllOut")));
    body.push(h("p", { class: "bio-properties-panel-description" }, alur.t("callHelp")));
    const pool = poolOf(elementRegistry, mapping.process);
    if (pool) {
      body.push(h("button", {
        type: "button", class: "alur-io-add-button", "data-testid": "call-open-process",
        onClick: () => {
          selection.select(pool);
          canvas.scrollToElement(pool);
        },
      }, alur.t("callOpen", { name })));
    }
  }
  return h("div", { class: "bio-properties-panel-entry alur-other alur-call",
    "data-entry-id": id, "data-testid": "call-data" }, body);
}

/** The group for a call activity, or null. */
export function callDataGroup(element, alur) {
  const bo = element && element.businessObject;
  if (!bo || !bo.$instanceOf || !bo.$instanceOf("bpmn:CallActivity")) return null;
  return {
    id: GROUP_ID,
    label: alur.t("callGroup"),
    shouldOpen: true,
    entries: [{ id: "alur-call-data-list", element, component: CallData }],
  };
}
