/**
 * The "Masukan dan keluaran proses" group on a process (its pool, or the canvas when there
 * are no pools): the variables a call activity passes in (dataInput) and gets back
 * (dataOutput), by name. Rename in place (the id stays, so a collection or inputSet that
 * points at the item still does), add by name (listed in the inputSet/outputSet at once,
 * as SpiffWorkflow needs), remove (with its refs; refused while an activity's data wiring
 * still points at it, naming that activity).
 */
import { h } from "@bpmn-io/properties-panel/preact";
import { useState } from "@bpmn-io/properties-panel/preact/hooks";
import { TextFieldEntry } from "@bpmn-io/properties-panel";
import { useService } from "bpmn-js-properties-panel";

import { useChanges } from "./commands.js";
import { nameError, Tagged } from "./naming.js";
import {
  addIoChanges,
  dataName,
  processIo,
  removeIoChanges,
  renameIoChanges,
  usersOf,
} from "./wiring.js";

export const GROUP_ID = "alur-io";
const WORDS = {
  input: { title: "ioInputs", help: "ioInputsHelp", label: "ioInputLabel", fresh: "ioNewInput",
    add: "ioAddInput" },
  output: { title: "ioOutputs", help: "ioOutputsHelp", label: "ioOutputLabel",
    fresh: "ioNewOutput", add: "ioAddOutput" },
};

function listOf(process, kind) {
  const { inputs, outputs } = processIo(process);
  return kind === "input" ? inputs : outputs;
}

function Row({ element, process, kind, item, index }) {
  const alur = useService("alurEditor");
  const debounce = useService("debounceInput");
  const run = useChanges(element);
  const words = WORDS[kind];
  const users = usersOf(item);
  const siblings = listOf(process, kind).filter((other) => other !== item).map(dataName);
  const usedBy = users.length
    ? alur.t("ioUsedBy", { elements: users.map((user) => user.name || user.id).join(", ") })
    : null;
  const entry = h(TextFieldEntry, {
    element, id: `alur-io-${item.id}`, debounce,
    label: alur.t(words.label, { n: index + 1 }),
    description: usedBy,
    validate: (value) => nameError(alur, value, { siblings, process, except: item }),
    getValue: () => item.name || "",
    setValue: (value, error) => {
      if (!error) run(renameIoChanges(item, value));
    },
  });
  const remove = alur.readOnly ? null : h("button", {
    type: "button",
    class: "alur-io-remove",
    "data-testid": `process-${kind}-remove`,
    "data-name": dataName(item),
    "aria-label": alur.t("ioRemove", { name: dataName(item) }),
    disabled: users.length > 0,
    onClick: () => run(removeIoChanges(process, item)),
  }, alur.t("ioRemoveShort"));
  return h(Tagged, { testid: `process-${kind}-name`, className: "alur-io-row" }, [entry, remove]);
}

function AddForm({ element, process, kind }) {
  const alur = useService("alurEditor");
  const moddle = useService("moddle");
  const run = useChanges(element);
  const [name, setName] = useState("");
  const [error, setError] = useState(null);
  const words = WORDS[kind];
  const fieldId = `alur-io-new-${kind}`;
  const submit = (event) => {
    event.preventDefault();
    const siblings = listOf(process, kind).map(dataName);
    const problem = nameError(alur, name, { siblings, process });
    setError(problem);
    if (problem) return;
    run(addIoChanges(moddle, process, kind, name.trim()));
    setName("");
  };
  return h("form", { class: "alur-io-add", onSubmit: submit, noValidate: true }, [
    h("label", { for: fieldId, class: "bio-properties-panel-label" }, alur.t(words.fresh)),
    h("div", { class: "alur-io-add-row" }, [
      h("input", {
        id: fieldId, type: "text", class: "bio-properties-panel-input", value: name,
        autocomplete: "off", spellcheck: false, maxLength: 120,
        "data-testid": `process-${kind}-new`,
        "aria-invalid": error ? "true" : "false",
        "aria-describedby": error ? `${fieldId}-error` : undefined,
        onInput: (event) => { setName(event.target.value); setError(null); },
      }),
      h("button", { type: "submit", class: "alur-io-add-button",
        "data-testid": `process-${kind}-add` }, alur.t(words.add)),
    ]),
    error ? h("p", { id: `${fieldId}-error`, class: "bio-properties-panel-error", role: "alert" },
      error) : null,
  ]);
}

function Section({ element, id, process, kind }) {
  const alur = useService("alurEditor");
  const words = WORDS[kind];
  const items = listOf(process, kind);
  const titleId = `${id}-title`;
  return h("div", { class: "bio-properties-panel-entry alur-io", "data-entry-id": id,
    role: "group", "aria-labelledby": titleId }, [
    h("p", { class: "alur-io-title", id: titleId }, alur.t(words.title)),
    h("p", { class: "bio-properties-panel-description" }, alur.t(words.help)),
    items.length
      ? items.map((item, index) => h(Row, { key: item.id, element, process, kind, item, index }))
      : h("p", { class: "alur-io-empty" }, alur.t("ioNone")),
    alur.readOnly ? null : h(AddForm, { element, process, kind }),
  ]);
}

/** The group for a process (given by its pool or as the canvas root), or null. */
export function ioGroup(element, process, alur) {
  if (!process || !process.$instanceOf || !process.$instanceOf("bpmn:Process")) return null;
  const { inputs, outputs } = processIo(process);
  return {
    id: GROUP_ID,
    label: alur.t("ioGroup"),
    shouldOpen: inputs.length + outputs.length > 0,
    entries: [
      { id: "alur-io-inputs", element, process, kind: "input", component: Section },
      { id: "alur-io-outputs", element, process, kind: "output", component: Section },
    ],
  };
}
