/* The auditor's history of one run (audit/history.html): the version's diagram at any
 * event, a step slider, the data at that event and what it changed, and a filterable
 * timeline. Everything comes from two JSON blocks the server wrote into the page:
 * #history-data (engine.services.replay.history_of's dict) and #history-view (the diagram,
 * form labels, OPD names and the sentences to show, already translated). The state after
 * any event is computed here (model.js), so the slider never waits for the server.
 */
import { onReady } from "../common/ready.js";
import { DataPanel } from "./datapanel.js";
import { ReplayDiagram } from "./diagram.js";
import { ReplayModel } from "./model.js";
import { PassesPanel } from "./passes.js";
import { Stepper } from "./stepper.js";
import { Timeline } from "./timeline.js";
import { ValueWriter } from "./values.js";

import "bpmn-js/dist/assets/diagram-js.css";
import "bpmn-js/dist/assets/bpmn-js.css";
import "../viewer/diagram.css";
import "./audit.css";

function readJson(id) {
  const block = document.getElementById(id);
  return block ? JSON.parse(block.textContent) : null;
}

class HistoryPage {
  constructor(root, data, view) {
    this.model = new ReplayModel(data);
    this.timeline = new Timeline(document.querySelector("[data-audit-timeline]"), view,
      (k) => this.stepper.go(k));
    this.panel = new DataPanel(root.querySelector("[data-data-panel]"), view, new ValueWriter(view));
    this.passes = new PassesPanel(root.querySelector("[data-passes-panel]"), view);
    this.diagram = new ReplayDiagram(root.querySelector("[data-audit-diagram]"), view, this.model,
      (id) => this.passes.open(id));
    this.stepper = new Stepper(root.querySelector("[data-audit-stepper]"), view, this.model.n,
      (k) => this.timeline.summary(k), (k) => this.show(k));
    this.k = this.model.n;
  }

  show(k) {
    this.k = k;
    const state = this.model.stateAt(k);
    this.diagram.show(k, state);
    this.timeline.highlight(k);
    this.panel.show(k, this.model.event(k), state);
  }

  async start() {
    this.stepper.wire();
    if (this.model.n) { this.stepper.go(this.model.n); }
    try {
      await this.diagram.init();
      this.diagram.show(this.k, this.model.stateAt(this.k));
    } catch (error) {
      this.diagram.root.setAttribute("data-diagram-state", "failed");
      const problem = this.diagram.root.querySelector("[data-diagram-error]");
      if (problem) { problem.hidden = false; }
      console.error("Alur Kinerja: the diagram could not be shown", error);
    }
  }
}

onReady(() => {
  const root = document.querySelector("[data-audit-root]");
  const data = readJson("history-data");
  const view = readJson("history-view");
  if (!root || !data || !view) { return; }
  const page = new HistoryPage(root, data, view);
  page.start();
});
