/**
 * Export the diagram as SVG (bpmn-js's saveSVG) or PNG (that SVG drawn on a canvas in the
 * browser: no server, no network). The SVG goes to the <img> as a data: URL, which the
 * page's CSP allows for images (img-src 'self' data:), and a data: image does not taint
 * the canvas, so toBlob works.
 */

const PNG_SCALE = 2;        // sharper than screen pixels, for documents and slides
const PNG_MAX_SIDE = 8192;  // stay under the canvas size browsers accept

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/** The size bpmn-js wrote on the root <svg> (read from the text: parsing the whole SVG
 * into a document would apply its style attributes, which the page's CSP refuses). */
function svgSize(svg) {
  const root = /<svg\b[^>]*>/.exec(svg);
  const attribute = (name) => {
    const found = root && new RegExp(`\\s${name}="([0-9.]+)`).exec(root[0]);
    return found ? parseFloat(found[1]) : 0;
  };
  return { width: attribute("width") || 800, height: attribute("height") || 600 };
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("the SVG could not be drawn"));
    image.src = url;
  });
}

export async function exportSvg(modeler, basename) {
  const { svg } = await modeler.saveSVG();
  download(new Blob([svg], { type: "image/svg+xml" }), `${basename}.svg`);
}

export async function exportPng(modeler, basename) {
  const { svg } = await modeler.saveSVG();
  const { width, height } = svgSize(svg);
  const scale = Math.min(PNG_SCALE, PNG_MAX_SIDE / Math.max(width, height));
  const image = await loadImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
  const canvas = document.createElement("canvas");
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const context = canvas.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve, reject) => {
    canvas.toBlob((result) => (result ? resolve(result) : reject(new Error("no PNG"))), "image/png");
  });
  download(blob, `${basename}.png`);
}
