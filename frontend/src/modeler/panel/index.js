/** bpmn-js module: our "Properti SOP" group and the data-wiring groups (see provider.js,
 * data.js). Needs an `alurEditor` value service (the page's words, roles, forms and
 * callbacks), given by the editor. */
import "./data.css";
import AlurPropertiesProvider from "./provider.js";

export default {
  __init__: ["alurPropertiesProvider"],
  alurPropertiesProvider: ["type", AlurPropertiesProvider],
};
