/**
 * The element's other `spiffworkflow:property` entries, shown read-only: the editor keeps
 * them exactly as they are on every save, and says so, rather than hiding them.
 */
import { h } from "@bpmn-io/properties-panel/preact";
import { useService } from "bpmn-js-properties-panel";

function OtherProperties({ id, pairs }) {
  const alur = useService("alurEditor");
  const rows = pairs.map(([name, value]) => h("div", { class: "alur-other-row" }, [
    h("dt", null, name), h("dd", null, value === "" ? "—" : value)]));
  return h("div", { class: "bio-properties-panel-entry alur-other", "data-entry-id": id }, [
    h("p", { class: "alur-other-title" }, alur.t("otherProperties")),
    h("dl", null, rows),
    h("p", { class: "bio-properties-panel-description" }, alur.t("otherPropertiesHelp")),
  ]);
}

export function otherPropertiesEntry(element, pairs) {
  return { id: "alur-other", element, pairs, component: OtherProperties };
}
