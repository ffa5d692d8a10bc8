// @ts-check
/**
 * The live pages' slide viewer: OpenSeadragon on one slide at a time, spoken
 * to in protocol views (docs/architecture.md, "Coordinates and views": the
 * centre in level-0 pixels, CSS pixels per level-0 pixel, degrees clockwise).
 *
 *   const viewer = new LiveViewer(stage, { osdImages });
 *   viewer.open(slide, view);            // a descriptor from the snapshot or slide_opened
 *   viewer.setView(view);                // animated: old tiles stay until the new ones arrive
 *   viewer.onUserMove((view) => ...);    // the person panned, zoomed or rotated
 *   viewer.setTool({ click(point) {} }); // drags draw instead of pan while set
 *
 * The canvas drawer, not WebGL: headless and GPU-less machines draw a cold
 * view in 0.6-2 s with it against 6-20 s with WebGL on software rendering
 * (issue 12). Overlays (annotations, heatmaps) append to `layer`, which sits
 * inside OpenSeadragon's canvas element: under its navigator and controls.
 */

/**
 * @import { SlideInfo } from "../../../types/slide.js"
 * @import { View, ViewerTool, LiveViewerApi } from "../../../types/live.js"
 */

const USER_EVENTS = [
  "canvas-drag",
  "canvas-scroll",
  "canvas-pinch",
  "canvas-double-click",
  "canvas-key",
  "navigator-click",
  "navigator-drag",
  "navigator-scroll",
];

/** A view needing more tiles than this at one level is not prefetched (OSD loads it as usual). */
const PREFETCH_MAX_TILES = 96;
const PREFETCH_REMEMBER = 4000;

/** OpenSeadragon injects an inline <style> unless it finds this one; see osdGuard. */
function osdGuard() {
  // An element named "style" outside the HTML namespace matches OSD's
  // selector but is no stylesheet, so the strict CSP has nothing to refuse
  // (the rule it would have added is in app.css).
  if (document.querySelector("style[data-openseadragon-mobile-css]")) return;
  const guard = document.createElementNS("urn:scopecast:inert", "style");
  guard.setAttribute("data-openseadragon-mobile-css", "true");
  document.head.append(guard);
}

/** @implements {LiveViewerApi} */
export class LiveViewer {
  /** @type {OpenSeadragon.Viewer} */
  osd;
  /** @type {SlideInfo | null} */
  slide = null;
  /** Overlays go here: inside OSD's canvas, under its navigator. */
  /** @type {HTMLElement} */
  layer;
  /** Tiles loaded and failed since the page opened (tests and the benchmark read them). */
  tilesLoaded = 0;
  tilesFailed = 0;
  /** @type {Set<(slide: SlideInfo | null) => void>} */
  #slideHandlers = new Set();
  /** @type {Set<(view: View) => void>} */
  #moveHandlers = new Set();
  /** @type {Set<() => void>} */
  #drawHandlers = new Set();
  /** @type {Set<(tool: ViewerTool | null) => void>} */
  #toolHandlers = new Set();
  /** The view moves because of the person (their input since our last setView). */
  #userMoving = false;
  /** @type {View | null} */
  #pendingView = null;
  /** @type {ViewerTool | null} */
  #tool = null;
  #opening = 0;
  /** Tile URLs already asked for by prefetch (the newest PREFETCH_REMEMBER). */
  /** @type {Set<string>} */
  #prefetched = new Set();

  /**
   * @param {HTMLElement} element  where the viewer goes (it fills it)
   * @param {{ osdImages: string, navigator?: boolean }} options
   */
  constructor(element, options) {
    osdGuard();
    const OSD = window.OpenSeadragon;
    if (typeof OSD !== "function") throw new Error("OpenSeadragon did not load");
    this.osd = OSD({
      element,
      prefixUrl: options.osdImages,
      drawer: "canvas",
      showNavigationControl: false,
      showNavigator: options.navigator !== false,
      navigatorPosition: "BOTTOM_RIGHT",
      navigatorAutoFade: false,
      maxZoomPixelRatio: 2,
      visibilityRatio: 0.5,
      animationTime: 0.6,
      springStiffness: 8,
      immediateRender: false,
      timeout: 30000,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      gestureSettingsTouch: { pinchRotate: false },
    });
    this.layer = document.createElement("div");
    this.layer.className = "viewer-layer";
    this.osd.canvas.append(this.layer);
    for (const name of USER_EVENTS) {
      this.osd.addHandler(/** @type {any} */ (name), () => {
        if (!this.#tool) this.#userMoving = true;
      });
    }
    // Every step of the person's movement, and its end once the spring settled.
    const moved = () => {
      if (!this.#userMoving) return;
      const view = this.getView();
      if (view) for (const handler of this.#moveHandlers) handler(view);
    };
    this.osd.addHandler("viewport-change", moved);
    this.osd.addHandler("animation-finish", moved);
    this.osd.addHandler("update-viewport", () => {
      for (const handler of this.#drawHandlers) handler();
    });
    this.osd.addHandler("tile-loaded", () => {
      this.tilesLoaded += 1;
    });
    this.osd.addHandler("tile-load-failed", () => {
      this.tilesFailed += 1;
    });
    this.#bindTools(element);
  }

  /**
   * Show `slide` at `view` (the whole slide when null). The same slide stays
   * open and only moves; another replaces it once its descriptor opened.
   * @param {SlideInfo | null} slide
   * @param {View | Omit<View, "slide_id"> | null} [view]
   */
  open(slide, view) {
    if (!slide) {
      this.#opening += 1;
      this.slide = null;
      this.osd.close();
      this.#emitSlide();
      return;
    }
    if (this.slide && this.slide.id === slide.id && this.slide.version === slide.version) {
      if (view) this.setView({ ...view, slide_id: slide.id });
      return;
    }
    const ticket = ++this.#opening;
    this.#pendingView = view ? { ...view, slide_id: slide.id } : null;
    this.slide = slide;
    this.osd.addOnceHandler("open", () => {
      if (ticket !== this.#opening) return;
      const target = this.#pendingView;
      this.#pendingView = null;
      if (target) this.setView(target, { immediate: true });
      else this.osd.viewport.goHome(true);
      this.#emitSlide();
    });
    this.osd.open(/** @type {any} */ (slide.dzi));
  }

  /** @param {(slide: SlideInfo | null) => void} handler */
  onSlide(handler) {
    this.#slideHandlers.add(handler);
    return () => void this.#slideHandlers.delete(handler);
  }

  /** @param {(view: View) => void} handler */
  onUserMove(handler) {
    this.#moveHandlers.add(handler);
    return () => void this.#moveHandlers.delete(handler);
  }

  /** Called on every redraw (pan, zoom, rotation, resize): overlays follow. */
  /** @param {() => void} handler */
  onDraw(handler) {
    this.#drawHandlers.add(handler);
    return () => void this.#drawHandlers.delete(handler);
  }

  /** @returns {OpenSeadragon.TiledImage | null} */
  get item() {
    return this.osd.world.getItemCount() ? this.osd.world.getItemAt(0) : null;
  }

  /** Is every tile of the current view drawn at its best resolution? */
  get fullyLoaded() {
    const item = this.item;
    return Boolean(item && item.getFullyLoaded());
  }

  /** @returns {[number, number]} */
  get #offset() {
    const off = this.slide && Array.isArray(this.slide.offset) ? this.slide.offset : [0, 0];
    return [Number(off[0]) || 0, Number(off[1]) || 0];
  }

  /**
   * The view on screen now, or (`target`) where the running animation ends:
   * the teacher sends the target, so the class starts loading the tiles of
   * the view it will end at instead of every view on the way.
   * @param {{ target?: boolean }} [options]
   * @returns {View | null}
   */
  getView(options = {}) {
    const item = this.item;
    if (!item || !this.slide) return null;
    const now = !options.target;
    const vp = this.osd.viewport;
    const centre = item.viewportToImageCoordinates(vp.getCenter(now));
    const [ox, oy] = this.#offset;
    return {
      slide_id: this.slide.id,
      x: clamp(centre.x + ox, 0, this.slide.width + ox),
      y: clamp(centre.y + oy, 0, this.slide.height + oy),
      zoom: item.viewportToImageZoom(vp.getZoom(now)),
      rotation: normaliseDegrees(vp.getRotation(now)),
    };
  }

  /**
   * Move to `view`, animated unless `immediate`. A view of another slide
   * waits until that slide is open.
   * @param {View} view
   * @param {{ immediate?: boolean }} [options]
   */
  setView(view, options = {}) {
    const item = this.item;
    if (!this.slide || view.slide_id !== this.slide.id) return;
    if (!item) {
      this.#pendingView = view;
      return;
    }
    const immediate = Boolean(options.immediate);
    // The movement that follows is ours, not the person's (a drag resumes it).
    this.#userMoving = false;
    const vp = this.osd.viewport;
    const OSD = window.OpenSeadragon;
    const [ox, oy] = this.#offset;
    if (Number.isFinite(view.rotation) && vp.getRotation() !== view.rotation) {
      vp.setRotation(view.rotation, immediate);
    }
    if (view.zoom > 0) vp.zoomTo(item.imageToViewportZoom(view.zoom), undefined, immediate);
    vp.panTo(item.imageToViewportCoordinates(new OSD.Point(view.x - ox, view.y - oy)), immediate);
  }

  /**
   * Start loading the tiles of `view` now, before the viewer gets there: the
   * level it will draw sharp and the one under it, over this viewer's size.
   * Tiles are immutable and cached by the browser, so when the animation
   * arrives OpenSeadragon finds them at once (the old view stays on screen
   * meanwhile). A follower calls it with every frame of the teacher's.
   * @param {View} view
   */
  prefetch(view) {
    const item = this.item;
    if (!item || !this.slide || view.slide_id !== this.slide.id || !(view.zoom > 0)) return;
    const source = /** @type {any} */ (item.source);
    if (typeof source.getTileUrl !== "function") return;
    const rect = this.osd.element.getBoundingClientRect();
    const ratio = (window.devicePixelRatio || 1) * view.zoom;
    let level = source.maxLevel;
    for (let l = source.minLevel; l <= source.maxLevel; l += 1) {
      if (source.getLevelScale(l) >= ratio) {
        level = l;
        break;
      }
    }
    // A turned view shows the circle around its centre at worst.
    const turned = view.rotation % 180 !== 0;
    const halfW = turned ? Math.hypot(rect.width, rect.height) / 2 / view.zoom : rect.width / 2 / view.zoom;
    const halfH = turned ? halfW : rect.height / 2 / view.zoom;
    const [ox, oy] = this.#offset;
    for (const l of [level, level - 1]) {
      if (l < source.minLevel) continue;
      const scale = source.getLevelScale(l);
      const size = source.getTileWidth(l);
      const tx0 = Math.max(0, Math.floor(((view.x - ox - halfW) * scale) / size));
      const ty0 = Math.max(0, Math.floor(((view.y - oy - halfH) * scale) / size));
      const tx1 = Math.min(Math.ceil((this.slide.width * scale) / size) - 1, Math.floor(((view.x - ox + halfW) * scale) / size));
      const ty1 = Math.min(Math.ceil((this.slide.height * scale) / size) - 1, Math.floor(((view.y - oy + halfH) * scale) / size));
      if ((tx1 - tx0 + 1) * (ty1 - ty0 + 1) > PREFETCH_MAX_TILES) continue;
      for (let ty = ty0; ty <= ty1; ty += 1) {
        for (let tx = tx0; tx <= tx1; tx += 1) this.#fetchTile(String(source.getTileUrl(l, tx, ty)));
      }
    }
  }

  /** @param {string} url */
  #fetchTile(url) {
    if (this.#prefetched.has(url)) return;
    this.#prefetched.add(url);
    if (this.#prefetched.size > PREFETCH_REMEMBER) {
      const oldest = this.#prefetched.values().next().value;
      if (oldest !== undefined) this.#prefetched.delete(oldest);
    }
    const image = new Image();
    image.decoding = "async";
    image.src = url;
  }

  /**
   * Where a pointer is on the slide, in level-0 pixels (null off the slide).
   * @param {{ clientX: number, clientY: number }} event
   * @returns {[number, number] | null}
   */
  imagePoint(event) {
    const item = this.item;
    if (!item || !this.slide) return null;
    const rect = this.osd.element.getBoundingClientRect();
    const OSD = window.OpenSeadragon;
    const pixel = new OSD.Point(event.clientX - rect.left, event.clientY - rect.top);
    const image = item.viewerElementToImageCoordinates(pixel);
    const [ox, oy] = this.#offset;
    const x = image.x + ox;
    const y = image.y + oy;
    if (x < ox || y < oy || x > this.slide.width + ox || y > this.slide.height + oy) return null;
    return [x, y];
  }

  /**
   * Where a level-0 point is drawn, in pixels of the viewer's element.
   * @param {number} x
   * @param {number} y
   * @returns {[number, number]}
   */
  screenPoint(x, y) {
    const item = this.item;
    if (!item) return [NaN, NaN];
    const [ox, oy] = this.#offset;
    const OSD = window.OpenSeadragon;
    const p = item.imageToViewerElementCoordinates(new OSD.Point(x - ox, y - oy));
    return [p.x, p.y];
  }

  /** CSS pixels per level-0 pixel now (also while animating). */
  get zoom() {
    const item = this.item;
    return item ? item.viewportToImageZoom(this.osd.viewport.getZoom(true)) : 0;
  }

  /**
   * A tool takes the pointer: drags go to it instead of panning (wheel zoom stays).
   * @param {ViewerTool | null} tool
   */
  setTool(tool) {
    if (this.#tool === tool) return;
    this.#tool = tool;
    for (const handler of this.#toolHandlers) handler(tool);
    // Read by OpenSeadragon at each drag (not in its type declarations).
    const osd = /** @type {any} */ (this.osd);
    for (const name of ["gestureSettingsMouse", "gestureSettingsTouch", "gestureSettingsPen"]) {
      if (osd[name]) osd[name].dragToPan = !tool;
    }
    this.osd.canvas.classList.toggle("viewer-tool-active", Boolean(tool));
    this.osd.canvas.dataset.cursor = tool && tool.cursor ? tool.cursor : "";
  }

  /** The tool that has the pointer, if any. */
  get tool() {
    return this.#tool;
  }

  /** @param {(tool: ViewerTool | null) => void} handler called when another tool takes over */
  onToolChange(handler) {
    this.#toolHandlers.add(handler);
    return () => void this.#toolHandlers.delete(handler);
  }

  /** @param {HTMLElement} element */
  #bindTools(element) {
    let down = false;
    /** @type {[number, number] | null} */
    let start = null;
    /** @param {PointerEvent} event */
    const onCanvas = (event) =>
      event.target instanceof Node && this.osd.canvas.contains(event.target);
    element.addEventListener(
      "pointerdown",
      (event) => {
        const tool = this.#tool;
        if (!tool || !onCanvas(event) || event.button !== 0) return;
        const point = this.imagePoint(event);
        if (!point) return;
        down = true;
        start = [event.clientX, event.clientY];
        tool.down?.(point, event);
      },
      { capture: true },
    );
    element.addEventListener(
      "pointermove",
      (event) => {
        const tool = this.#tool;
        if (!tool || !onCanvas(event)) return;
        const point = this.imagePoint(event);
        if (point) tool.move?.(point, event);
      },
      { capture: true },
    );
    window.addEventListener(
      "pointerup",
      (event) => {
        const tool = this.#tool;
        if (!tool || !down) return;
        down = false;
        const point = this.imagePoint(event);
        if (!point) return;
        tool.up?.(point, event);
        if (start && Math.hypot(event.clientX - start[0], event.clientY - start[1]) < 5) {
          tool.click?.(point, event);
        }
      },
      { capture: true },
    );
  }

  #emitSlide() {
    for (const handler of this.#slideHandlers) handler(this.slide);
  }
}

/**
 * @param {number} value
 * @param {number} lo
 * @param {number} hi
 */
function clamp(value, lo, hi) {
  return Math.min(hi, Math.max(lo, value));
}

/** @param {number} degrees */
export function normaliseDegrees(degrees) {
  const d = degrees % 360;
  return d < 0 ? d + 360 : d;
}
