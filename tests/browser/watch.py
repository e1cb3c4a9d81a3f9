"""What a browser test checks on every page: nothing in the console, no uncaught error and
nothing the Content-Security-Policy refused (recorded by a listener installed before any
page script runs; Playwright's init scripts are not subject to the CSP)."""

from __future__ import annotations

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
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], violations
        assert self.problems == [], self.problems
