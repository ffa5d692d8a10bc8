// @ts-check
/**
 * The teacher's drawing tools: every annotation kind of docs/protocol.md
 * (point, text, arrow, line, rectangle, ellipse, polygon, freehand), a
 * colour palette, select to move, recolour, relabel or delete, and the laser
 * pointer. Drawings go out as annotation_create/update/delete; the server's
 * events draw them (annotations.js), for the teacher as for the class.
 *
 * Why our own tools and not Annotorious: Annotorious injects inline styles,
 * which the strict Content-Security-Policy refuses (docs/frontend.md).
 */

import { COLOURS, mountAnnotations } from "./annotations.js";
import { button, el } from "./page.js";

/**
 * @import { LiveContext, ViewerTool } from "../../../types/live.js"
 * @import { AnnotationShape, Kind } from "../../../types/protocol.js"
 */

/** @typedef {Kind | "select" | "laser"} ToolName */

/** The tools, in toolbar order: [name, label, what it does]. */
const TOOLS = /** @type {const} */ ([
  ["select", "Select", "Select a drawing to move, recolour or delete it (V)"],
  ["laser", "Laser", "Laser pointer: the class sees your pointer (X)"],
  ["point", "Point", "Mark a point: click"],
  ["text", "Text", "A label: type it, then click where it goes"],
  ["arrow", "Arrow", "An arrow: drag from the tail to the head"],
  ["line", "Line", "A line: drag"],
  ["rectangle", "Box", "A rectangle: drag from corner to corner"],
  ["ellipse", "Ellipse", "An ellipse: drag across it"],
  ["polygon", "Polygon", "A polygon: click each corner, then the first one again"],
  ["freehand", "Freehand", "Draw freely: drag"],
]);
const DRAG_KINDS = new Set(["arrow", "line", "rectangle", "ellipse"]);
const MAX_POINTS = 5000;
/** Freehand keeps a point only when it moved this far on screen. */
const FREEHAND_STEP_PX = 3;
/** A click this close to a drawing selects it. */
const HIT_PX = 10;

/**
 * @param {LiveContext} ctx
 */
export function mountDrawingTools(ctx) {
  const { client, viewer } = ctx;
  const drawings = mountAnnotations(ctx);
  /** @type {ToolName | null} */
  let active = null;
  let colour = Object.keys(COLOURS)[0];
  /** @type {number[][]} */
  let points = [];
  /** @type {number | null} */
  let selected = null;
  /** @type {{ from: number[], shape: AnnotationShape } | null} */
  let moving = null;

  const bar = el("div", "tool-group drawing-tools");
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "Drawing tools");
  /** @type {Map<ToolName, HTMLButtonElement>} */
  const buttons = new Map();
  for (const [name, label, what] of TOOLS) {
    const b = button(label, `tool tool-${name}`, () => choose(active === name ? null : name));
    b.title = what;
    b.setAttribute("aria-pressed", "false");
    buttons.set(name, b);
    bar.append(b);
  }
  const palette = el("div", "tool-group palette");
  palette.setAttribute("role", "radiogroup");
  palette.setAttribute("aria-label", "Colour");
  for (const [value, name] of Object.entries(COLOURS)) {
    const swatch = button("", `swatch swatch-${name}`, () => setColour(value));
    swatch.title = `Colour: ${name}`;
    swatch.setAttribute("role", "radio");
    swatch.setAttribute("aria-label", name);
    swatch.dataset.colour = value;
    palette.append(swatch);
  }
  const textInput = el("input", "label-input");
  textInput.placeholder = "Label text";
  textInput.maxLength = 500;
  textInput.setAttribute("aria-label", "Text of the label or of the selected drawing");
  textInput.addEventListener("change", () => {
    if (selected === null) return;
    const shape = drawings.get(selected);
    if (shape && textInput.value.trim() !== shape.text) {
      client.send({ type: "annotation_update", id: selected, text: textInput.value.trim() });
    }
  });
  const remove = button("Delete", "tool tool-delete", () => deleteSelected());
  remove.title = "Delete the selected drawing (Delete)";
  remove.disabled = true;
  ctx.slot("toolbar").append(bar, palette, textInput, remove);
  setColour(colour);

  /** @param {string} value */
  function setColour(value) {
    colour = value;
    for (const swatch of palette.children) {
      const on = /** @type {HTMLElement} */ (swatch).dataset.colour === value;
      swatch.setAttribute("aria-checked", String(on));
    }
    if (selected !== null) client.send({ type: "annotation_update", id: selected, colour: value });
  }

  /** @param {number[]} point */
  function clampToSlide(point) {
    const slide = viewer.slide;
    if (!slide) return point;
    const [ox, oy] = slide.offset || [0, 0];
    return [
      Math.min(ox + slide.width, Math.max(ox, point[0])),
      Math.min(oy + slide.height, Math.max(oy, point[1])),
    ];
  }

  /**
   * @param {Kind} kind
   * @param {number[][]} pts
   * @param {string} [text]
   */
  function create(kind, pts, text = "") {
    const slide = viewer.slide;
    if (!slide) return;
    client.send({
      type: "annotation_create",
      slide_id: slide.id,
      annotation: { kind, colour, points: /** @type {any} */ (pts.map(clampToSlide)), text },
    });
  }

  /** @param {number[][]} pts */
  function draft(pts, kind = /** @type {Kind} */ (active)) {
    const slide = viewer.slide;
    const shape = /** @type {[number, number][]} */ (pts);
    drawings.setDraft(slide && pts.length ? { slide_id: slide.id, kind, colour, points: shape, text: textInput.value } : null);
  }

  /** @type {ViewerTool} */
  const tool = {
    cursor: "crosshair",
    down(point) {
      if (active === "select") {
        const hit = hitTest(point);
        select(hit);
        const shape = hit === null ? null : drawings.get(hit);
        moving = shape ? { from: point, shape } : null;
        return;
      }
      if (active && (DRAG_KINDS.has(active) || active === "freehand")) {
        points = [point, point];
        if (active === "freehand") points = [point];
        draft(points);
      }
    },
    move(point) {
      if (active === "laser") {
        client.send({ type: "pointer", point });
        return;
      }
      if (active === "select" && moving) {
        const dx = point[0] - moving.from[0];
        const dy = point[1] - moving.from[1];
        const moved = moving.shape.points.map((p) => /** @type {[number, number]} */ ([p[0] + dx, p[1] + dy]));
        drawings.preview({ ...moving.shape, points: moved });
        return;
      }
      if (!active || !points.length) return;
      if (DRAG_KINDS.has(active)) {
        points[1] = point;
        draft(points);
      } else if (active === "freehand") {
        const last = points[points.length - 1];
        const [ax, ay] = viewer.screenPoint(last[0], last[1]);
        const [bx, by] = viewer.screenPoint(point[0], point[1]);
        if (Math.hypot(ax - bx, ay - by) >= FREEHAND_STEP_PX && points.length < MAX_POINTS) points.push(point);
        draft(points);
      } else if (active === "polygon") {
        draft([...points, point]);
      }
    },
    up(point) {
      if (active === "select" && moving) {
        const dx = point[0] - moving.from[0];
        const dy = point[1] - moving.from[1];
        if (Math.hypot(dx, dy) * viewer.zoom > 2) {
          const moved = moving.shape.points.map((p) => clampToSlide([p[0] + dx, p[1] + dy]));
          client.send({ type: "annotation_update", id: moving.shape.id, points: /** @type {any} */ (moved) });
        }
        moving = null;
        return;
      }
      if (!active) return;
      if (DRAG_KINDS.has(active) && points.length === 2) {
        const [a] = points;
        const [ax, ay] = viewer.screenPoint(a[0], a[1]);
        const [bx, by] = viewer.screenPoint(point[0], point[1]);
        if (Math.hypot(ax - bx, ay - by) > 4) create(/** @type {Kind} */ (active), [a, point], textInput.value.trim());
        points = [];
        draft([]);
      } else if (active === "freehand" && points.length) {
        if (points.length >= 2) create("freehand", points);
        points = [];
        draft([]);
      }
    },
    click(point, event) {
      if (active === "point") create("point", [point], textInput.value.trim());
      else if (active === "text") {
        const text = textInput.value.trim();
        if (!text) {
          ctx.toast("Type the label's text in the toolbar first, then click where it goes.", "error");
          textInput.focus();
          return;
        }
        create("text", [point], text);
      } else if (active === "polygon") {
        const first = points[0];
        const closes =
          points.length >= 3 &&
          (event.detail >= 2 ||
            (() => {
              const [fx, fy] = viewer.screenPoint(first[0], first[1]);
              const [px, py] = viewer.screenPoint(point[0], point[1]);
              return Math.hypot(fx - px, fy - py) < 12;
            })());
        if (closes) {
          create("polygon", points, textInput.value.trim());
          points = [];
          draft([]);
          return;
        }
        if (points.length < MAX_POINTS) points.push(point);
        draft(points);
      }
    },
  };

  /**
   * The drawing under a point, by screen distance to its outline or marker.
   * @param {number[]} point
   * @returns {number | null}
   */
  function hitTest(point) {
    const [px, py] = viewer.screenPoint(point[0], point[1]);
    let best = null;
    let bestDistance = HIT_PX;
    for (const shape of drawings.all()) {
      const screen = outline(shape).map((p) => viewer.screenPoint(p[0], p[1]));
      let d = Infinity;
      if (screen.length === 1) d = Math.hypot(screen[0][0] - px, screen[0][1] - py);
      for (let i = 1; i < screen.length; i += 1) d = Math.min(d, segmentDistance(px, py, screen[i - 1], screen[i]));
      if (d <= bestDistance) {
        bestDistance = d;
        best = shape.id;
      }
    }
    return best;
  }

  /** @param {number | null} id */
  function select(id) {
    selected = id;
    drawings.select(id);
    remove.disabled = id === null;
    const shape = id === null ? null : drawings.get(id);
    if (shape) {
      textInput.value = shape.text;
      for (const swatch of palette.children) {
        swatch.setAttribute("aria-checked", String(/** @type {HTMLElement} */ (swatch).dataset.colour === shape.colour));
      }
    }
  }

  client.on("annotation_deleted", (event) => {
    if (selected === event.id) select(null);
  });
  client.on("slide_opened", () => select(null));

  /** @param {ToolName | null} name */
  function choose(name) {
    if (active === "laser" && name !== "laser") client.send({ type: "pointer", point: null });
    active = name;
    points = [];
    draft([]);
    if (name !== "select") select(null);
    for (const [toolName, b] of buttons) b.setAttribute("aria-pressed", String(toolName === name));
    viewer.setTool(name ? tool : null);
    if (name === "laser") ctx.announce("Laser pointer on.");
  }
  viewer.onToolChange((current) => {
    if (current !== tool && active) {
      active = null;
      for (const b of buttons.values()) b.setAttribute("aria-pressed", "false");
    }
  });
  viewer.osd.canvas.addEventListener("pointerleave", () => {
    if (active === "laser") client.send({ type: "pointer", point: null });
  });

  function deleteSelected() {
    if (selected === null) return;
    client.send({ type: "annotation_delete", id: selected });
    select(null);
  }

  return {
    choose,
    deleteSelected,
    toggleLaser() {
      choose(active === "laser" ? null : "laser");
    },
  };
}

/**
 * The points a drawing's outline runs through (closed shapes closed).
 * @param {AnnotationShape} shape
 * @returns {number[][]}
 */
function outline(shape) {
  const p = shape.points;
  if (shape.kind === "rectangle" || shape.kind === "ellipse") {
    const [a, b] = p;
    return [[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]], [a[0], a[1]]];
  }
  if (shape.kind === "polygon") return [...p, p[0]];
  return p;
}

/**
 * @param {number} px
 * @param {number} py
 * @param {number[]} a
 * @param {number[]} b
 */
function segmentDistance(px, py, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / length)) : 0;
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}
