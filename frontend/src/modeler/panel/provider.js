/**
 * Our properties-panel group, "Properti SOP": the `spiffworkflow:property` entries the
 * engine reads (engine/services/deployments.py, engine/sop.py), by element kind:
 *
 * - user task: sop_step, waktu_hari_kerja, form_key, deadline_group(_entry), kelengkapan,
 *   output, context_view; a start event: form_key (the start form);
 * - call activity: sop_step, opens_period, period_end_variable;
 * - lane: role (default from bpmn/lane-roles.toml by lane name), opd_variable;
 * - the main process (its pool, or the canvas when there are no pools): context_keys;
 * - a sequence flow leaving an exclusive or inclusive gateway: its condition and whether it
 *   is the gateway's default flow (bpmn-js's BPMN provider has no condition entry).
 *
 * Properties not listed here are neither shown for editing nor touched; the group lists
 * them read-only ("other properties") so nobody wonders where they went.
 *
 * The data wiring (multi-instance collections, a process's inputs and outputs, what a call
 * activity passes) has groups of its own, added by ./data.js.
 */
import {
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from "@bpmn-io/properties-panel";

import { listProperties } from "../properties.js";
import { addDataGroups } from "./data.js";
import { conditionEntries } from "./flows.js";
import { otherPropertiesEntry } from "./others.js";
import {
  flagEntry,
  formKeyEntry,
  holderOf,
  roleEntry,
  textEntry,
  waktuEntry,
} from "./entries.js";

const LOW_PRIORITY = 500;
export const GROUP_ID = "alur";

const USER_TASK_KEYS = ["sop_step", "waktu_hari_kerja", "form_key", "deadline_group",
  "deadline_group_entry", "kelengkapan", "output", "context_view"];
const START_KEYS = ["form_key"];
const CALL_KEYS = ["sop_step", "opens_period", "period_end_variable"];
const LANE_KEYS = ["role", "opd_variable"];
const PROCESS_KEYS = ["context_keys"];

function is(element, type) {
  const bo = element && element.businessObject;
  return Boolean(bo && bo.$instanceOf && bo.$instanceOf(type));
}

function isMainProcess(element, alur) {
  const holder = holderOf(element);
  return Boolean(holder && holder.$instanceOf("bpmn:Process") && holder.id === alur.mainProcessId());
}

function userTaskEntries(element, alur) {
  const t = alur.t;
  return [
    textEntry(element, "sop_step", t("sopStep"), t("sopStepHelp"),
      { isEdited: isTextFieldEntryEdited, testid: "sop-step-field" }),
    { ...waktuEntry(element, t("waktu"), t("waktuHelp")), isEdited: isTextFieldEntryEdited },
    { ...formKeyEntry(element, t("formKey"), t("formKeyHelp")), isEdited: isSelectEntryEdited },
    textEntry(element, "deadline_group", t("deadlineGroup"), t("deadlineGroupHelp"),
      { isEdited: isTextFieldEntryEdited }),
    flagEntry(element, "deadline_group_entry", t("deadlineEntry"), t("deadlineEntryHelp"),
      { isEdited: isCheckboxEntryEdited }),
    textEntry(element, "kelengkapan", t("kelengkapan"), t("kelengkapanHelp"),
      { multiline: true, isEdited: isTextAreaEntryEdited }),
    textEntry(element, "output", t("output"), t("outputHelp"),
      { multiline: true, isEdited: isTextAreaEntryEdited }),
    textEntry(element, "context_view", t("contextView"), t("contextViewHelp"),
      { isEdited: isTextFieldEntryEdited }),
  ];
}

function callEntries(element, alur) {
  const t = alur.t;
  return [
    textEntry(element, "sop_step", t("sopStep"), t("sopStepCallHelp"),
      { isEdited: isTextFieldEntryEdited }),
    flagEntry(element, "opens_period", t("opensPeriod"), t("opensPeriodHelp"),
      { isEdited: isCheckboxEntryEdited, testid: "opens-period-check" }),
    textEntry(element, "period_end_variable", t("periodEnd"), t("periodEndHelp"),
      { isEdited: isTextFieldEntryEdited }),
  ];
}

function laneEntries(element, alur) {
  const t = alur.t;
  return [
    { ...roleEntry(element, t("role"), t("roleHelp")), isEdited: isSelectEntryEdited },
    textEntry(element, "opd_variable", t("opdVariable"), t("opdVariableHelp"),
      { isEdited: isTextFieldEntryEdited }),
  ];
}

/** [entries, the property names they edit] for this element, or null for none. */
function entriesFor(element, alur) {
  if (is(element, "bpmn:UserTask")) return [userTaskEntries(element, alur), USER_TASK_KEYS];
  if (is(element, "bpmn:StartEvent")) {
    const t = alur.t;
    return [[{ ...formKeyEntry(element, t("startForm"), t("startFormHelp")),
      isEdited: isSelectEntryEdited }], START_KEYS];
  }
  if (is(element, "bpmn:CallActivity")) return [callEntries(element, alur), CALL_KEYS];
  if (is(element, "bpmn:Lane")) return [laneEntries(element, alur), LANE_KEYS];
  if (is(element, "bpmn:SequenceFlow")) return [conditionEntries(element, alur), []];
  if (isMainProcess(element, alur)) {
    const t = alur.t;
    return [[textEntry(element, "context_keys", t("contextKeys"), t("contextKeysHelp"),
      { multiline: true, isEdited: isTextAreaEntryEdited })], PROCESS_KEYS];
  }
  return null;
}

export function createGroup(element, alur) {
  const found = entriesFor(element, alur);
  const holder = element && holderOf(element);
  const others = holder && holder.$instanceOf && holder.$instanceOf("bpmn:BaseElement")
    ? listProperties(holder).filter(([name]) => !(found ? found[1] : []).includes(name))
    : [];
  const entries = [...(found ? found[0] : [])];
  if (others.length) entries.push(otherPropertiesEntry(element, others, alur));
  if (!entries.length) return null;
  return { id: GROUP_ID, label: alur.t("group"), entries };
}

export default function AlurPropertiesProvider(propertiesPanel, alurEditor) {
  // getGroups must exist before registerProvider(), or the group silently never shows
  this.getGroups = (element) => (groups) => {
    const group = createGroup(element, alurEditor);
    if (group) {
      const general = groups.findIndex((g) => g.id === "general");
      groups.splice(general >= 0 ? general + 1 : 0, 0, group);
    }
    return addDataGroups(groups, element, alurEditor, GROUP_ID);
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

AlurPropertiesProvider.$inject = ["propertiesPanel", "alurEditor"];
