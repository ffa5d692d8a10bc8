// @ts-check
/**
 * An SVG layer over the slide that redraws in screen pixels on every frame
 * the viewer draws (pan, zoom, rotation), so strokes, labels and markers keep
 * their size on screen. Shapes are given in level-0 pixels; the annotations,
 * the laser pointer, the measuring tool and the class map each own one layer.
 * It lives inside OpenSeadragon's canvas element, so the navigator and the
 * viewer's controls stay on top (docs/frontend.md, "Overlays").
 */

import { pathData } from "./geometry.js";

/** @import { LiveViewerApi } from "../../../types/live.js" */

export { ellipsePoints, rectanglePoints } from "./geometry.js";

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
   * @param {Pick<LiveViewerApi, "layer" | "onDraw" | "screenPoint">} viewer
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
    return pathData(
      points.map((p) => this.#viewer.screenPoint(p[0], p[1])),
      closed,
    );
  }

  /**
   * @param {number} x
   * @param {number} y
   */
  screen(x, y) {
    return this.#viewer.screenPoint(x, y);
  }
}
