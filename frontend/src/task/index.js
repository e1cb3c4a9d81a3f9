/* The task page and the inbox (inbox/task.html, inbox/index.html): their stylesheet, and on
 * the task page a dialog before an irreversible choice is sent.
 *
 * The form lists the options that must be confirmed (data-confirm-options, texts from the
 * form's own `confirm`); when Kirim is pressed with one of them chosen, a <dialog> says what
 * will happen, and only "Ya, kirim" sends the form, with confirmed=1. Without JavaScript the
 * server asks instead: it answers the first Kirim with the same text and a confirm button.
 * Buttons that post elsewhere (Simpan draf, Unggah, Kirim catatan) are never held back.
 */
import "./task.css";
import { onReady } from "../common/ready.js";

function chosenConfirmation(form, options) {
  for (const option of options) {
    const key = option.getAttribute("data-key");
    const value = option.getAttribute("data-value");
    const inputs = Array.from(form.elements).filter((el) => el.name === key && !el.disabled);
    const chosen = inputs.some((el) => (el.type === "radio" || el.type === "checkbox"
      ? el.checked && el.value === value : el.value === value));
    if (chosen) { return option.textContent; }
  }
  return null;
}

function sendConfirmed(form) {
  const confirmed = document.createElement("input");
  confirmed.type = "hidden";
  confirmed.name = "confirmed";
  confirmed.value = "1";
  form.appendChild(confirmed);
  form.submit();
}

function enhance(form, dialog, options) {
  let opener = null;
  form.addEventListener("submit", (event) => {
    const submitter = event.submitter;
    if (submitter && (submitter.hasAttribute("formaction") || submitter.name === "confirmed")) {
      return;
    }
    const text = chosenConfirmation(form, options);
    if (!text) { return; }
    event.preventDefault();
    opener = submitter || null;
    dialog.querySelector("[data-confirm-text]").textContent = text;
    dialog.showModal();
    dialog.querySelector("[data-confirm-no]").focus();
  });
  dialog.querySelector("[data-confirm-yes]").addEventListener("click", () => {
    dialog.close();
    sendConfirmed(form);
  });
  dialog.querySelector("[data-confirm-no]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (opener) { opener.focus(); } });
}

onReady(() => {
  const form = document.querySelector("form[data-confirm-form]");
  const dialog = document.querySelector("[data-confirm-dialog]");
  const list = document.querySelector("[data-confirm-options]");
  if (form && dialog && list) {
    enhance(form, dialog, Array.from(list.querySelectorAll("[data-key]")));
  }
});
