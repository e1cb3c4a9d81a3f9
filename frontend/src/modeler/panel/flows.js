/**
 * A gateway's outgoing flow: its condition (engine/bpmn/expressions.py's restricted grammar,
 * checked by the alur/expression-grammar rule) and whether it is the gateway's default flow.
 * bpmn-js's plain BPMN provider edits neither, so the SOP's decisions need these two.
 */
import { h } from "@bpmn-io/properties-panel/preact";
import {
  CheckboxEntry,
  isCheckboxEntryEdited,
  isTextAreaEntryEdited,
  TextAreaEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

const DECIDING = ["bpmn:ExclusiveGateway", "bpmn:InclusiveGateway"];

function decides(source) {
  const bo = source && source.businessObject;
  return Boolean(bo && DECIDING.some((type) => bo.$instanceOf(type)));
}

function Condition({ element, id, label, help }) {
  const modeling = useService("modeling");
  const moddle = useService("moddle");
  const debounce = useService("debounceInput");
  const bo = element.businessObject;
  const setValue = (value) => {
    const body = (value || "").trim();
    const current = bo.conditionExpression;
    if (!body) {
      if (current) modeling.updateProperties(element, { conditionExpression: undefined });
    } else if (current) {
      modeling.updateModdleProperties(element, current, { body });
    } else {
      const expression = moddle.create("bpmn:FormalExpression", { body });
      expression.$parent = bo;
      modeling.updateProperties(element, { conditionExpression: expression });
    }
  };
  const entry = h(TextAreaEntry, {
    element, id, label, description: help, debounce, rows: 2, monospace: true,
    getValue: () => (bo.conditionExpression && bo.conditionExpression.body) || "",
    setValue,
  });
  return h("div", { class: "alur-entry" }, entry);
}

function DefaultFlow({ element, id, label, help }) {
  const modeling = useService("modeling");
  const source = element.source;
  const entry = h(CheckboxEntry, {
    element, id, label, description: help,
    getValue: () => source.businessObject.default === element.businessObject,
    setValue: (checked) => modeling.updateProperties(source, {
      default: checked ? element.businessObject : undefined }),
  });
  return h("div", { class: "alur-entry" }, entry);
}

export function conditionEntries(element, alur) {
  if (!decides(element.source)) return [];
  const t = alur.t;
  return [
    { id: "alur-condition", element, label: t("condition"), help: t("conditionHelp"),
      component: Condition, isEdited: isTextAreaEntryEdited },
    { id: "alur-default-flow", element, label: t("defaultFlow"), help: t("defaultFlowHelp"),
      component: DefaultFlow, isEdited: isCheckboxEntryEdited },
  ];
}
