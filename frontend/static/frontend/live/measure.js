// @ts-check
/**
 * The measuring tool, on every live viewer: a line's length in µm (mm past
 * 1 mm), a polygon's area in mm² (click the points, double-click or click the
 * first point to close), and a note when the zoom passes the scan's native
 * resolution. Local: nothing is sent to the class.
 */

import { areaSquareMm, formatArea, formatLength, lengthMicrons, micronsPerPixel } from "./geometry.js";
import { Overlay, svg } from "./overlay.js";
import { button, el } from "./page.js";

/** @import { LiveViewerApi, SlotName, ViewerTool } from "../../../types/live.js" */

/**
 * What the measuring tool needs of a page: a LiveContext on the live pages,
 * solo-measure.js's adapter on the solo viewer.
 * @typedef {Pick<LiveViewerApi, "slide" | "layer" | "onDraw" | "screenPoint" | "zoom" | "setTool" | "onToolChange">} MeasureViewer
 * @typedef {{ viewer: MeasureViewer, slot(name: SlotName): HTMLElement, announce(text: string): void }} MeasureContext
 */

/**
 * @param {MeasureContext} ctx
 * @param {{ magnification?: boolean }} [options] show the magnification
 *   readout (the solo viewer has its own)
 */
export function mountMeasure(ctx, options = {}) {
  const { viewer } = ctx;
  const bar = el("div", "tool-group measure-tools");
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", "Measure");
  const lineButton = button("Length", "tool", () => toggle("line"));
  const areaButton = button("Area", "tool", () => toggle("area"));
  lineButton.title = "Measure a length (M)";
  areaButton.title = "Measure an area: click the corners, double-click to close";
  const readout = el("output", "measure-readout");
  readout.setAttribute("aria-live", "polite");
  const native = el("span", "native-note", "");
  native.hidden = true;
  const power = el("span", "magnification", "");
  bar.append(lineButton, areaButton, readout);
  ctx.slot("toolbar").append(bar, power, native);

  const layer = new Overlay(viewer, "overlay-measure");
  /** @type {"line" | "area" | null} */
  let mode = null;
  /** @type {number[][]} */
  let points = [];
  /** @type {number[] | null} */
  let hover = null;
  let done = false;

  /** @type {ViewerTool} */
  const tool = {
    cursor: "crosshair",
    down(point) {
      if (mode === "line") {
        points = [point, point];
        done = false;
      }
    },
    move(point) {
      if (mode === "line" && points.length === 2 && !done) points[1] = point;
      hover = point;
      update();
    },
    up(point) {
      if (mode === "line" && points.length === 2) {
        points[1] = point;
        done = true;
        update();
      }
    },
    click(point, event) {
      if (mode !== "area") return;
      if (done) {
        points = [];
        done = false;
      }
      const first = points[0];
      if (first && points.length >= 3) {
        const [fx, fy] = viewer.screenPoint(first[0], first[1]);
        const [px, py] = viewer.screenPoint(point[0], point[1]);
        if (Math.hypot(fx - px, fy - py) < 12 || event.detail >= 2) {
          done = true;
          update();
          return;
        }
      }
      points.push(point);
      update();
    },
  };

  /** @param {"line" | "area"} next */
  function toggle(next) {
    mode = mode === next ? null : next;
    points = [];
    done = false;
    viewer.setTool(mode ? tool : null);
    if (mode === "line") ctx.announce("Measuring: drag across the slide.");
    if (mode === "area") ctx.announce("Measuring an area: click the corners, then the first one again.");
    update();
  }
  viewer.onToolChange((current) => {
    if (current !== tool && mode) {
      mode = null;
      points = [];
      update();
    }
  });
  document.addEventListener("keydown", (event) => {
    const target = /** @type {HTMLElement} */ (event.target);
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    if (event.key === "Escape" && mode) toggle(mode);
    else if (event.key.toLowerCase() === "m" && !event.ctrlKey && !event.metaKey) toggle("line");
  });

  function update() {
    lineButton.setAttribute("aria-pressed", String(mode === "line"));
    areaButton.setAttribute("aria-pressed", String(mode === "area"));
    const mpp = micronsPerPixel(viewer.slide);
    if (!mode) readout.textContent = "";
    else if (!mpp) readout.textContent = "This scan has no calibration: lengths are unknown.";
    else if (mode === "line" && points.length === 2) {
      readout.textContent = formatLength(lengthMicrons(points, mpp));
    } else if (mode === "area" && points.length >= 3) {
      const shown = done || !hover ? points : [...points, hover];
      readout.textContent = `${formatArea(areaSquareMm(shown, mpp))} (outline ${formatLength(lengthMicrons([...shown, shown[0]], mpp))})`;
    } else {
      readout.textContent = mode === "line" ? "Drag across the slide" : "Click the corners";
    }
    layer.redraw();
  }

  layer.paint(() => {
    if (!mode || !points.length) {
      layer.root.replaceChildren();
      return;
    }
    const shown = mode === "area" && !done && hover ? [...points, hover] : points;
    const d = layer.path(shown, mode === "area" && done);
    layer.root.replaceChildren(
      svg("path", { d, class: "measure-halo" }),
      svg("path", { d, class: "measure-line" }),
    );
  });

  // The magnification readout and the note past the scan's native resolution.
  viewer.onDraw(() => {
    const slide = viewer.slide;
    const zoom = viewer.zoom;
    const objective = slide && slide.objective_power ? slide.objective_power : null;
    power.textContent = objective && zoom && options.magnification !== false ? `${formatPower(objective * zoom)}×` : "";
    const beyond = Boolean(objective && zoom > 1.05);
    native.hidden = !beyond;
    native.textContent = beyond
      ? `Past the scan's ${formatPower(objective || 0)}× resolution: no more detail`
      : "";
  });
}

/** @param {number} power */
function formatPower(power) {
  return power >= 10 ? power.toFixed(0) : power.toFixed(1);
}
