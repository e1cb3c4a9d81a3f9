/** Text areas grow with what is typed in them, so a long answer never hides in a small box. */

function fit(area) {
  area.style.height = "auto";
  const border = area.offsetHeight - area.clientHeight;
  area.style.height = `${area.scrollHeight + border}px`;
}

export function autogrow(root = document) {
  for (const area of root.querySelectorAll("textarea")) fit(area);
  root.addEventListener("input", (event) => {
    if (event.target instanceof HTMLTextAreaElement) fit(event.target);
  });
}
