/* The step slider: <input type=range> 1..n, the buttons, ←/→ anywhere on the page except
 * in a form control (the slider handles its own keys), and Home/End from inside the replay
 * (elsewhere they scroll the page, as people expect). Each move updates the
 * slider's words (aria-valuetext "Peristiwa 12 dari 240: Tugas selesai — ..."), the
 * summary under it and, once the moves settle, the live region. */
import { fill } from "./text.js";

const ANNOUNCE_AFTER = 250;  // ms: dragging the slider announces only where it stops
const TYPING = /^(INPUT|SELECT|TEXTAREA)$/;

export class Stepper {
  constructor(root, view, n, describe, onStep) {
    this.root = root;
    this.area = root.closest("[data-audit-root]") || root;
    this.text = view.text || {};
    this.n = n;
    this.describe = describe;
    this.onStep = onStep;
    this.k = n;
    this.slider = root.querySelector("[data-step-slider]");
    this.output = root.querySelector("[data-step-output]");
    this.summary = root.querySelector("[data-step-summary]");
    this.live = root.querySelector("[data-step-live]");
    this.timer = null;
    this.slider.max = String(Math.max(n, 1));
    root.querySelector("[data-stepper-controls]").hidden = false;
  }

  wire() {
    this.slider.addEventListener("input", () => this.go(Number(this.slider.value)));
    this.root.querySelectorAll("[data-step]").forEach((button) => {
      button.addEventListener("click", () => this.move(button.getAttribute("data-step")));
    });
    document.addEventListener("keydown", (event) => this.key(event));
  }

  key(event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) { return; }
    const target = event.target;
    if (target && (TYPING.test(target.tagName) || target.isContentEditable)) { return; }
    const moves = { ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last" };
    if (!moves[event.key]) { return; }
    const inside = target instanceof Node && this.area.contains(target);
    if ((event.key === "Home" || event.key === "End") && !inside) { return; }
    event.preventDefault();
    this.move(moves[event.key]);
  }

  move(how) {
    const targets = { first: 1, last: this.n, prev: this.k - 1, next: this.k + 1 };
    this.go(targets[how]);
  }

  go(k) {
    const step = Math.max(1, Math.min(this.n, Math.round(k) || 1));
    this.k = step;
    const words = fill(this.text.step, { k: step, n: this.n, what: this.describe(step) });
    if (Number(this.slider.value) !== step) { this.slider.value = String(step); }
    this.slider.setAttribute("aria-valuetext", words);
    this.output.textContent = String(step);
    this.summary.textContent = words;
    this.onStep(step);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.live.textContent = words; }, ANNOUNCE_AFTER);
  }
}
