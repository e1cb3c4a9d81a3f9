/** Which process of a diagram is the main one, found as the server finds it. Pure. */

/** The first executable process (in document order) that no call activity calls: the one
 * a run starts (engine/bpmn/parser.py `_main_process_id`). Null when there is none. */
export function mainProcessId(definitions) {
  const roots = (definitions && definitions.rootElements) || [];
  const called = new Set();
  const visit = (element) => {
    if (element.$instanceOf("bpmn:CallActivity") && element.calledElement) {
      called.add(element.calledElement);
    }
    (element.flowElements || []).forEach(visit);
  };
  const processes = roots.filter((root) => root.$instanceOf("bpmn:Process"));
  processes.forEach(visit);
  const main = processes.find((process) => process.isExecutable && !called.has(process.id));
  return main ? main.id : null;
}
