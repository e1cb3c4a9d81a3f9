/**
 * The entries of our "SOP" group in the properties panel: one `spiffworkflow:property` each,
 * built on the panel's own entry components so they look, debounce and undo like the rest.
 *
 * Every entry reads and writes through ../properties.js (one property changed, all others
 * kept) and runs one `updateModdleProperties` command, so Ctrl+Z undoes it. Controls the
 * browser tests and the end-to-end journey drive carry a `data-testid` (set on the real
 * input after each render, since the panel's components take no extra attributes).
 */
import { h } from "@bpmn-io/properties-panel/preact";
import { useEffect, useRef } from "@bpmn-io/properties-panel/preact/hooks";
import {
  CheckboxEntry,
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
} from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

import { getProperty, propertyUpdate } from "../properties.js";

export const NEW_FORM = "__alur_new_form__";
const WHOLE_NUMBER = /^[1-9][0-9]*$/;

/** The moddle element that carries the property for this diagram element (a participant
 * stands for its process). */
export function holderOf(element) {
  const bo = element.businessObject;
  return bo && bo.$instanceOf("bpmn:Participant") && bo.processRef ? bo.processRef : bo;
}

function useWriter(element) {
  const modeling = useService("modeling");
  const moddle = useService("moddle");
  return (name, value) => {
    const update = propertyUpdate(moddle, holderOf(element), name, value);
    if (update) modeling.updateModdleProperties(element, update.moddleElement, update.properties);
  };
}

/** Wrap an entry and put `data-testid` on its control (input, select or textarea). */
function Tagged({ testid, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const control = ref.current && ref.current.querySelector("input, select, textarea");
    if (control && testid) control.setAttribute("data-testid", testid);
  });
  return h("div", { ref, class: "alur-entry" }, children);
}

function TextProperty(props) {
  const { element, id, name, label, help, validate, testid, multiline } = props;
  const debounce = useService("debounceInput");
  const write = useWriter(element);
  const entry = h(multiline ? TextAreaEntry : TextFieldEntry, {
    element, id, label, description: help, debounce, validate,
    getValue: () => getProperty(holderOf(element), name),
    setValue: (value, error) => { if (!error) write(name, (value || "").trim()); },
    ...(multiline ? { rows: 3, autoResize: true } : {}),
  });
  return h(Tagged, { testid }, entry);
}

function FlagProperty({ element, id, name, label, help, testid }) {
  const write = useWriter(element);
  const entry = h(CheckboxEntry, {
    element, id, label, description: help,
    getValue: () => getProperty(holderOf(element), name) === "true",
    setValue: (checked) => write(name, checked ? "true" : ""),
  });
  return h(Tagged, { testid }, entry);
}

function WaktuProperty(props) {
  const alur = useService("alurEditor");
  const validate = (value) => (
    !value || WHOLE_NUMBER.test(value.trim()) ? null : alur.t("waktuInvalid"));
  return h(TextProperty, { ...props, validate });
}

function FormKeyProperty({ element, id, label, help, testid }) {
  const alur = useService("alurEditor");
  const eventBus = useService("eventBus");
  const write = useWriter(element);
  const current = getProperty(holderOf(element), "form_key");
  const options = () => {
    const keys = alur.formKeys();
    const list = [{ value: "", label: alur.t("formNone") }];
    if (current && !keys.includes(current)) {
      list.push({ value: current, label: alur.t("formMissing", { key: current }) });
    }
    keys.forEach((key) => list.push({ value: key, label: key }));
    if (!alur.readOnly) list.push({ value: NEW_FORM, label: alur.t("formNew") });
    return list;
  };
  const setValue = (value) => {
    if (value !== NEW_FORM) {
      write("form_key", value);
      return;
    }
    // show the old value again until the dialog decides
    eventBus.fire("elements.changed", { elements: [element] });
    alur.requestNewForm((key) => write("form_key", key));
  };
  const entry = h(SelectEntry, {
    element, id, label, description: help, getOptions: options, setValue,
    getValue: () => getProperty(holderOf(element), "form_key"),
  });
  const link = !alur.readOnly && current && alur.formKeys().includes(current)
    ? h("p", { class: "alur-entry-link" }, h("a", {
      href: alur.formEditorUrl(current), "data-save-first": "", "data-testid": "open-form-editor",
    }, alur.t("formOpen", { key: current })))
    : null;
  return h(Tagged, { testid }, [entry, link]);
}

function RoleProperty({ element, id, label, help, testid }) {
  const alur = useService("alurEditor");
  const write = useWriter(element);
  const laneName = (element.businessObject.name || "").trim();
  const fallback = alur.laneDefaults[laneName];
  const options = () => {
    const label0 = fallback
      ? alur.t("roleDefault", { role: alur.roleLabel(fallback) })
      : alur.t("roleNoDefault");
    return [{ value: "", label: label0 },
      ...alur.roles.map((role) => ({ value: role.code, label: role.label }))];
  };
  const entry = h(SelectEntry, {
    element, id, label, description: help, getOptions: options,
    getValue: () => getProperty(element.businessObject, "role"),
    setValue: (value) => write("role", value),
  });
  return h(Tagged, { testid }, entry);
}

/** Entry descriptors for the panel (id, component, props); `isEdited` drives its dot. */
export function textEntry(element, name, label, help, extra = {}) {
  return { id: `alur-${name}`, element, name, label, help, component: TextProperty, ...extra };
}

export function flagEntry(element, name, label, help, extra = {}) {
  return { id: `alur-${name}`, element, name, label, help, component: FlagProperty, ...extra };
}

export function waktuEntry(element, label, help) {
  return { id: "alur-waktu_hari_kerja", element, name: "waktu_hari_kerja", label, help,
    component: WaktuProperty, testid: "waktu-field" };
}

export function formKeyEntry(element, label, help) {
  return { id: "alur-form_key", element, label, help, component: FormKeyProperty,
    testid: "form-key-select" };
}

export function roleEntry(element, label, help) {
  return { id: "alur-role", element, label, help, component: RoleProperty,
    testid: "lane-role-select" };
}
