/** Run `start` once the page is parsed, or at once when it already is (bundles load with defer). */
export function onReady(start) {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
}
