/**
 * The bpmn-js Modeler as this page sets it up: properties panel (bpmn-js's BPMN groups plus
 * ours), lint while drawing (bpmn-js-bpmnlint, active from the start), token simulation,
 * our spiffworkflow moddle descriptor built for the diagram being opened, translated UI,
 * and, for versions and deployed drafts, the read-only module.
 *
 * Keyboard: diagram-js binds its shortcuts to the canvas itself (focusable SVG); passing
 * `keyboard.bindTo` is an error since diagram-js 15, so none is given.
 */
import Modeler from "bpmn-js/lib/Modeler";
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
} from "bpmn-js-properties-panel";
import lintModule from "bpmn-js-bpmnlint";
import tokenSimulationModule from "bpmn-js-token-simulation/lib/modeler";

import { spiffDescriptor } from "./moddle.js";
import alurPanelModule from "./panel/index.js";
import { GROUP_ID } from "./panel/provider.js";
import { readOnlyModule } from "./readonly.js";
import { restoreUnresolvedReferences } from "./references.js";
import { translateModule } from "./translate.js";

export function createModeler({ xml, canvas, panel, alurEditor, dictionary, readOnly }) {
  const modules = [
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    alurPanelModule,
    lintModule,
    tokenSimulationModule,
    translateModule(dictionary),
    { alurEditor: ["value", alurEditor] },
  ];
  if (readOnly) modules.push(readOnlyModule);
  return new Modeler({
    container: canvas,
    propertiesPanel: {
      parent: panel,
      layout: { groups: { general: { open: true }, [GROUP_ID]: { open: true } } },
    },
    linting: { active: true },
    additionalModules: modules,
    moddleExtensions: { spiffworkflow: spiffDescriptor(xml) },
  });
}

/** Import the diagram; put back references moddle could not resolve (references.js). */
export async function importDiagram(modeler, xml) {
  const result = await modeler.importXML(xml);
  restoreUnresolvedReferences(modeler.get("moddle"), result.warnings);
  return result;
}
