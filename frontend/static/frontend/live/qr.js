// @ts-check
/**
 * A QR code of the join URL for the projector, drawn as SVG elements (no
 * markup strings, no inline styles). The encoding is uqr's (npm `uqr`,
 * served from /static/vendor/uqr/): small, dependency-free, and it exposes
 * the module matrix, which is all we need; docs/frontend.md says why.
 */

import { encode } from "/static/vendor/uqr/index.mjs";

const SVG = "http://www.w3.org/2000/svg";
/** The quiet zone around the code, in modules (the standard asks for 4). */
const QUIET = 4;

/**
 * @param {string} text
 * @param {string} label what the code opens, for screen readers
 * @returns {SVGSVGElement}
 */
export function qrCode(text, label) {
  const { size, data } = encode(text, { ecc: "M", border: 0 });
  const total = size + 2 * QUIET;
  const root = /** @type {SVGSVGElement} */ (document.createElementNS(SVG, "svg"));
  root.setAttribute("viewBox", `0 0 ${total} ${total}`);
  root.setAttribute("role", "img");
  root.setAttribute("aria-label", label);
  root.setAttribute("shape-rendering", "crispEdges");
  root.classList.add("qr-code");
  const background = document.createElementNS(SVG, "rect");
  background.setAttribute("width", String(total));
  background.setAttribute("height", String(total));
  background.setAttribute("fill", "#fff");
  let d = "";
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      if (data[y][x]) d += `M${x + QUIET} ${y + QUIET}h1v1h-1z`;
    }
  }
  const modules = document.createElementNS(SVG, "path");
  modules.setAttribute("d", d);
  modules.setAttribute("fill", "#000");
  root.append(background, modules);
  root.dataset.text = text;
  return root;
}
