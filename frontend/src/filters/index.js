/* List pages with filters (the inbox): a select marked data-autosubmit sends its form as soon
 * as it changes. Without JavaScript the form's own "Terapkan" button does the same. */
import { onReady } from "../common/ready.js";

onReady(() => {
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
