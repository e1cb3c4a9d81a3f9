"""What a browser test checks on every page: nothing in the console, no uncaught error,
nothing the Content-Security-Policy refused (recorded by a listener installed before any
page script runs; Playwright's init scripts are not subject to the CSP) and no serious or
critical WCAG 2.1 AA violation that axe-core finds."""

from __future__ import annotations

from pathlib import Path

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


class Watch:
    """Console errors and warnings, uncaught exceptions and CSP violations of one page."""

    def __init__(self, page):
        self.page, self.problems = page, []
        page.context.add_init_script(CSP_LISTENER)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def assert_clean(self) -> None:
        """Nothing wrong in the console or with the CSP, and nothing axe-core objects to."""
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], violations
        assert self.problems == [], self.problems
        assert_accessible(self.page)


AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} @ ${v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ")).join(", ")}`);
}"""


def assert_accessible(page) -> None:
    """axe-core (from the front end's npm packages) finds no serious or critical WCAG 2.1
    AA violation on the page as it is now. Injected through the DevTools protocol, which the
    page's Content-Security-Policy does not govern, so the page itself stays strict."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(AXE_RUN, WCAG_AA)
    assert violations == [], violations
