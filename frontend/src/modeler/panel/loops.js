/**
 * The "Banyak instans (koleksi)" group: on an activity with multi-instance characteristics,
 * which collection it runs over (one instance per item), the variable each instance gets
 * its item in, and optionally the collection that gathers one result per instance and the
 * variable it is taken from. bpmn-js's own "Multi-instance" group edits the loop
 * cardinality and the completion condition; SpiffArena's editor edits these four, and the
 * SOP uses them (Task_10, Call_OPD).
 *
 * The pick lists name the data by variable name and kind (data object, process input or
 * output); a collection SpiffArena wrote as a bare variable name is shown as such and kept.
 */
import { h } from "@bpmn-io/properties-panel/preact";
import {
  isSelectEntryEdited,
  isTextFieldEntryEdited,
  SelectEntry,
  TextFieldEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

import { useChanges } from "./commands.js";
import { nameError, Tagged } from "./naming.js";
import {
  collectionChanges,
  collectionChoices,
  collectionOf,
  dataName,
  itemChanges,
  itemVariable,
  multiInstanceOf,
  processOf,
} from "./wiring.js";

export const GROUP_ID = "alur-collection";
const NONE = "";
const KIND_WORDS = { object: "dataObject", input: "dataInputOf", output: "dataOutputOf" };

function Collection({ element, id, which, label, help, testid }) {
  const alur = useService("alurEditor");
  const run = useChanges(element);
  const activity = element.businessObject;
  const current = collectionOf(activity, which);
  const choices = collectionChoices(activity);
  const getOptions = () => {
    const options = [];
    if (which === "output" || !current) options.push({ value: NONE, label: alur.t("miNone") });
    if (current && !choices.some(({ item }) => item === current)) {
      options.push({ value: current.id, label: alur.t("dataUndeclared", { name: dataName(current) }) });
    }
    choices.forEach(({ item, kind }) => options.push({
      value: item.id, label: alur.t(KIND_WORDS[kind], { name: dataName(item) }) }));
    return options;
  };
  const setValue = (value) => {
    if (value === NONE) {
      run(collectionChanges(activity, which, null));
      return;
    }
    const chosen = choices.find(({ item }) => item.id === value);
    if (chosen) run(collectionChanges(activity, which, chosen.item));
  };
  const entry = h(SelectEntry, {
    element, id, label, description: help, getOptions, setValue,
    getValue: () => (collectionOf(activity, which) || { id: NONE }).id,
  });
  return h(Tagged, { testid }, entry);
}

function ElementVariable({ element, id, which, label, help, testid }) {
  const alur = useService("alurEditor");
  const moddle = useService("moddle");
  const debounce = useService("debounceInput");
  const run = useChanges(element);
  const activity = element.businessObject;
  const loop = multiInstanceOf(activity);
  const own = loop && loop.get(which === "input" ? "inputDataItem" : "outputDataItem");
  const validate = (value) => nameError(alur, value, {
    allowEmpty: true, process: processOf(activity), except: own });
  const entry = h(TextFieldEntry, {
    element, id, label, description: help, debounce, validate,
    getValue: () => itemVariable(activity, which),
    setValue: (value, error) => {
      if (!error) run(itemChanges(moddle, activity, which, value));
    },
  });
  return h(Tagged, { testid }, entry);
}

/** The group for this element, or null when it has no multi-instance characteristics. */
export function collectionGroup(element, alur) {
  const bo = element && element.businessObject;
  if (!bo || !bo.$instanceOf || !bo.$instanceOf("bpmn:Activity") || !multiInstanceOf(bo)) {
    return null;
  }
  const t = alur.t;
  const entry = (id, which, component, words, testid, isEdited) => ({
    id, element, which, component, label: t(words), help: t(`${words}Help`), testid, isEdited });
  return {
    id: GROUP_ID,
    label: t("miGroup"),
    shouldOpen: true,
    entries: [
      entry("alur-mi-input", "input", Collection, "miInput", "mi-input-collection",
        isSelectEntryEdited),
      entry("alur-mi-input-item", "input", ElementVariable, "miInputItem", "mi-input-item",
        isTextFieldEntryEdited),
      entry("alur-mi-output", "output", Collection, "miOutput", "mi-output-collection",
        isSelectEntryEdited),
      entry("alur-mi-output-item", "output", ElementVariable, "miOutputItem", "mi-output-item",
        isTextFieldEntryEdited),
    ],
  };
}
