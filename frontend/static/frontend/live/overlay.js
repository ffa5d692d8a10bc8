// @ts-check
/**
 * An SVG layer over the slide that redraws in screen pixels on every frame
 * the viewer draws (pan, zoom, rotation), so strokes, labels and markers keep
 * their size on screen. Shapes are given in level-0 pixels; the annotations,
 * the laser pointer, the measuring tool and the class map each own one layer.
 * It lives inside OpenSeadragon's canvas element, so the navigator and the
 * viewer's controls stay on top (docs/frontend.md, "Overlays").
 */

/** @import { LiveViewerApi } from "../../../types/live.js" */

const SVG = "http://www.w3.org/2000/svg";

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return /** @type {SVGElement} */ (node);
}

export class Overlay {
  /** @type {SVGSVGElement} */
  root;
  #viewer;
  /** @type {Set<() => void>} */
  #painters = new Set();

  /**
   * @param {LiveViewerApi} viewer
   * @param {string} className
   */
  constructor(viewer, className) {
    this.#viewer = viewer;
    this.root = /** @type {SVGSVGElement} */ (svg("svg", { class: `slide-overlay ${className}` }));
    this.root.setAttribute("aria-hidden", "true");
    viewer.layer.append(this.root);
    viewer.onDraw(() => this.redraw());
  }

  /** @param {() => void} painter runs on every redraw, draws into `root` */
  paint(painter) {
    this.#painters.add(painter);
    return () => void this.#painters.delete(painter);
  }

  redraw() {
    if (!Number.isFinite(this.#viewer.screenPoint(0, 0)[0])) {
      this.root.replaceChildren(); // no slide drawn yet (or one is opening)
      return;
    }
    for (const painter of this.#painters) painter();
  }

  /**
   * Level-0 points -> an SVG path in screen pixels.
   * @param {number[][]} points
   * @param {boolean} closed
   */
  path(points, closed) {
    let d = "";
    for (let i = 0; i < points.length; i += 1) {
      const [x, y] = this.#viewer.screenPoint(points[i][0], points[i][1]);
      if (!Number.isFinite(x) || !Number.isFinite(y)) return "M0 0"; // the slide is still opening
      d += `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
    }
    return closed && points.length > 2 ? d + "Z" : d;
  }

  /**
   * @param {number} x
   * @param {number} y
   */
  screen(x, y) {
    return this.#viewer.screenPoint(x, y);
  }
}

/**
 * The outline of an ellipse given its bounding box's corners, as a polygon
 * (drawn through the viewer's rotation like any other shape).
 * @param {number[]} a
 * @param {number[]} b
 * @param {number} [steps]
 * @returns {number[][]}
 */
export function ellipsePoints(a, b, steps = 72) {
  const cx = (a[0] + b[0]) / 2;
  const cy = (a[1] + b[1]) / 2;
  const rx = Math.abs(b[0] - a[0]) / 2;
  const ry = Math.abs(b[1] - a[1]) / 2;
  const out = [];
  for (let i = 0; i < steps; i += 1) {
    const t = (i / steps) * 2 * Math.PI;
    out.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return out;
}

/**
 * The four corners of a rectangle given two opposite corners.
 * @param {number[]} a
 * @param {number[]} b
 * @returns {number[][]}
 */
export function rectanglePoints(a, b) {
  return [
    [a[0], a[1]],
    [b[0], a[1]],
    [b[0], b[1]],
    [a[0], b[1]],
  ];
}
