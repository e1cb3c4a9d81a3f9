/**
 * The live preview: @bpmn-io/form-js-viewer (the same 1.23.0 the editor is built on)
 * rendering the schema as the editor changes it, filled with the form's sample answers.
 * Re-imported shortly after each change, not on every keystroke.
 */
import { Form } from "@bpmn-io/form-js-viewer";

const DELAY_MS = 300;

/** form-js compiles `validate.pattern` while it renders, where a broken one is an uncaught
 * error: check every pattern first (the server refuses such a schema anyway). */
function checkPatterns(components) {
  (components || []).forEach((component) => {
    const pattern = component.validate && component.validate.pattern;
    if (pattern) { new RegExp(pattern); }  // throws a SyntaxError naming the pattern
    checkPatterns(component.components);
  });
}

export class Preview {
  constructor(container, { sample, ariaLabel, onProblem }) {
    this.form = new Form({ container, properties: { ariaLabel } });
    this.sample = sample || {};
    this.onProblem = onProblem;
    this.timer = null;
    this.lastJson = null;
  }

  /** Show `json` (the schema as a JSON string) soon; nothing happens if it did not change. */
  update(json) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.show(json), DELAY_MS);
  }

  async show(json) {
    if (json === this.lastJson) { return; }
    this.lastJson = json;
    try {
      const schema = JSON.parse(json);
      checkPatterns(schema.components);
      await this.form.importSchema(schema, this.sample);
      this.onProblem(null);
    } catch (error) {
      this.onProblem(error);
    }
  }
}
