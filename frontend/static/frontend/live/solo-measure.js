// @ts-check
/**
 * The measuring tool (measure.js) on the solo slide viewer (viewer.html),
 * whose classic script exposes `window.scopecastViewer`. A small adapter
 * gives measure.js what it uses of a LiveViewer: the open slide, an overlay
 * layer inside OpenSeadragon's canvas (under the navigator), level-0 <->
 * screen points, and a tool that takes drags instead of panning.
 * Loaded as `<script type="module">` after viewer.js; nothing is sent.
 */

import { mountMeasure } from "./measure.js";

/** @import { ViewerTool } from "../../../types/live.js" */
/** @import { MeasureViewer } from "./measure.js" */

/** @implements {MeasureViewer} */
class SoloViewer {
  #api;
  /** @type {ViewerTool | null} */
  #tool = null;
  /** @type {Set<() => void>} */
  #draw = new Set();
  /** @type {Set<(tool: ViewerTool | null) => void>} */
  #toolHandlers = new Set();

  /**
   * @param {ScopecastViewer} api
   * @param {OpenSeadragon.Viewer} osd
   */
  constructor(api, osd) {
    this.#api = api;
    this.osd = osd;
    this.layer = document.createElement("div");
    this.layer.className = "viewer-layer";
    osd.canvas.append(this.layer);
    osd.addHandler("update-viewport", () => {
      for (const handler of this.#draw) handler();
    });
    this.#bindTools(osd.element);
  }

  get slide() {
    return this.#api.state === "ready" ? this.#api.info : null;
  }

  get #item() {
    return this.osd.world.getItemCount() ? this.osd.world.getItemAt(0) : null;
  }

  /** @returns {[number, number]} */
  get #offset() {
    const off = this.slide && Array.isArray(this.slide.offset) ? this.slide.offset : [0, 0];
    return [Number(off[0]) || 0, Number(off[1]) || 0];
  }

  /** @param {() => void} handler */
  onDraw(handler) {
    this.#draw.add(handler);
    return () => void this.#draw.delete(handler);
  }

  /**
   * @param {number} x
   * @param {number} y
   * @returns {[number, number]}
   */
  screenPoint(x, y) {
    const item = this.#item;
    if (!item) return [NaN, NaN];
    const [ox, oy] = this.#offset;
    const p = item.imageToViewerElementCoordinates(new window.OpenSeadragon.Point(x - ox, y - oy));
    return [p.x, p.y];
  }

  /**
   * @param {{ clientX: number, clientY: number }} event
   * @returns {[number, number] | null}
   */
  imagePoint(event) {
    const item = this.#item;
    const slide = this.slide;
    if (!item || !slide) return null;
    const rect = this.osd.element.getBoundingClientRect();
    const p = item.viewerElementToImageCoordinates(
      new window.OpenSeadragon.Point(event.clientX - rect.left, event.clientY - rect.top),
    );
    const [ox, oy] = this.#offset;
    const x = p.x + ox;
    const y = p.y + oy;
    if (x < ox || y < oy || x > slide.width + ox || y > slide.height + oy) return null;
    return [x, y];
  }

  get zoom() {
    const item = this.#item;
    return item ? item.viewportToImageZoom(this.osd.viewport.getZoom(true)) : 0;
  }

  /** @param {ViewerTool | null} tool */
  setTool(tool) {
    if (this.#tool === tool) return;
    this.#tool = tool;
    for (const handler of this.#toolHandlers) handler(tool);
    const osd = /** @type {any} */ (this.osd); // gesture settings are read at each drag
    for (const name of ["gestureSettingsMouse", "gestureSettingsTouch", "gestureSettingsPen"]) {
      if (osd[name]) osd[name].dragToPan = !tool;
    }
    this.osd.canvas.classList.toggle("viewer-tool-active", Boolean(tool));
  }

  /** @param {(tool: ViewerTool | null) => void} handler */
  onToolChange(handler) {
    this.#toolHandlers.add(handler);
    return () => void this.#toolHandlers.delete(handler);
  }

  /** @param {HTMLElement} element */
  #bindTools(element) {
    /** @type {[number, number] | null} */
    let start = null;
    /** @param {Event} event */
    const onCanvas = (event) => event.target instanceof Node && this.osd.canvas.contains(event.target);
    element.addEventListener(
      "pointerdown",
      (event) => {
        const point = this.#tool && onCanvas(event) && event.button === 0 ? this.imagePoint(event) : null;
        if (!point || !this.#tool) return;
        start = [event.clientX, event.clientY];
        this.#tool.down?.(point, event);
      },
      { capture: true },
    );
    element.addEventListener(
      "pointermove",
      (event) => {
        const point = this.#tool && onCanvas(event) ? this.imagePoint(event) : null;
        if (point && this.#tool) this.#tool.move?.(point, event);
      },
      { capture: true },
    );
    window.addEventListener(
      "pointerup",
      (event) => {
        const from = start;
        start = null;
        const point = this.#tool && from ? this.imagePoint(event) : null;
        if (!point || !this.#tool || !from) return;
        this.#tool.up?.(point, event);
        if (Math.hypot(event.clientX - from[0], event.clientY - from[1]) < 5) this.#tool.click?.(point, event);
      },
      { capture: true },
    );
  }
}

/** Mounts the tool once the viewer script has created OpenSeadragon. */
function mountWhenOpen() {
  const api = window.scopecastViewer;
  const toolbar = document.querySelector(".viewer-toolbar");
  if (!api || !(toolbar instanceof HTMLElement)) return;
  if (api.state === "error") return;
  if (!api.viewer) {
    window.setTimeout(mountWhenOpen, 50);
    return;
  }
  const viewer = new SoloViewer(api, api.viewer);
  mountMeasure(
    {
      viewer,
      slot: () => toolbar, // one toolbar on this page
      announce: () => {}, // the readout is itself a polite live region
    },
    { magnification: false },
  );
}

mountWhenOpen();
