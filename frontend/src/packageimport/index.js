/*
 * The SIRUP import page (reports/package_import.html): sends the chosen file with a progress
 * bar, shows the server's preview in the page without leaving it, and keeps the file, so
 * "Impor" sends the same bytes again without asking for it a second time.
 *
 * (Each form has a field named "action", which hides form.action: the address is read from
 * the attribute.) Without JavaScript the same forms post normally: the preview is a new page and its confirm
 * form asks for the file again (the sha256 shows it is the same one).
 */
import { onReady } from "../common/ready.js";

const IMPORT_HEADER = "X-Alur-Import";

function showProgress(box, sent, total) {
  const bar = box.querySelector("progress");
  box.hidden = false;
  bar.value = total ? Math.round((sent / total) * 100) : 0;
  box.querySelector("[data-upload-processing]").hidden = !(total && sent >= total);
}

/** The result area of a page of HTML the server answered with, or null. */
function resultOf(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  return page.querySelector("[data-import-result]");
}

function replaceResult(area, fresh) {
  area.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.importNode(node, true)));
  const focus = area.querySelector("[data-error-summary], h2");
  if (focus) {
    if (!focus.hasAttribute("tabindex")) focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
}

function failed(area, message) {
  const box = document.createElement("div");
  box.className = "alert alert-error";
  box.setAttribute("role", "alert");
  box.dataset.testid = "import-error";
  const text = document.createElement("p");
  text.className = "alert-title";
  text.textContent = message;
  box.append(text);
  area.replaceChildren(box);
}

/** Post `data` to `url` with the progress shown in `box`; `done(xhr)` with the answer. */
function send(url, data, box, area, done) {
  const xhr = new XMLHttpRequest();
  xhr.open("POST", url);
  xhr.setRequestHeader(IMPORT_HEADER, "1");
  xhr.upload.addEventListener("progress", (event) => {
    showProgress(box, event.loaded, event.lengthComputable ? event.total : 0);
  });
  xhr.addEventListener("load", () => {
    box.hidden = true;
    done(xhr);
  });
  xhr.addEventListener("error", () => {
    box.hidden = true;
    failed(area, box.dataset.networkError);
  });
  showProgress(box, 0, 1);
  xhr.send(data);
}

function answer(xhr, area, box) {
  const location = xhr.getResponseHeader("X-Location");
  if (location) {
    window.location.assign(location);
    return;
  }
  if (xhr.status === 413) {
    failed(area, box.dataset.tooLarge);
    return;
  }
  const fresh = xhr.responseText ? resultOf(xhr.responseText) : null;
  if (fresh) {
    replaceResult(area, fresh);
    wireConfirm(area, box);
  } else {
    failed(area, box.dataset.serverError);
  }
}

function wireConfirm(area, box) {
  const confirm = area.querySelector("[data-confirm-form]");
  const chosen = document.querySelector("[data-import-form] input[type=file]");
  if (!confirm || !chosen || !chosen.files.length) return;
  const refile = confirm.querySelector("[data-refile]");
  refile.hidden = true;
  refile.querySelector("input").required = false;
  confirm.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(confirm);
    data.set("file", chosen.files[0]);
    confirm.querySelector("button[type=submit]").disabled = true;
    send(confirm.getAttribute("action"), data, box, area, (xhr) => answer(xhr, area, box));
  });
}

onReady(() => {
  const form = document.querySelector("[data-import-form]");
  const area = document.querySelector("[data-import-result]");
  const box = document.querySelector("[data-upload-progress]");
  if (!form || !area || !box) return;
  form.addEventListener("submit", (event) => {
    const chosen = form.querySelector("input[type=file]");
    if (!chosen.files.length) return; // the server says what is missing
    event.preventDefault();
    send(form.getAttribute("action"), new FormData(form), box, area, (xhr) => answer(xhr, area, box));
  });
});
