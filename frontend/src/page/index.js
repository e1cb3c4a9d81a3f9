// On every page (templates/base.html): error summaries that link to their fields and take
// the focus, and text areas that grow with their content. Everything else is per page.
import { autogrow } from "../common/autogrow.js";
import { enhanceErrorSummary } from "../common/errorsummary.js";
import { onReady } from "../common/ready.js";

onReady(() => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) enhanceErrorSummary(summary);
  autogrow(document);
});
