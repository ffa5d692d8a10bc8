// @ts-check
/**
 * The teacher's drawing tools: every annotation kind of docs/protocol.md
 * (point, text, arrow, line, rectangle, ellipse, polygon, freehand), a
 * colour palette, select to move, recolour, relabel or delete, and the laser
 * pointer. The label field is the text tool's text, and the label of the
 * selected drawing (select one, type, Enter). Drawings go out as annotation_create/update/delete; the server's
 * events draw them (annotations.js), for the teacher as for the class.
 *
 * Why our own tools and not Annotorious: Annotorious injects inline styles,
 * which the strict Content-Security-Policy refuses (docs/frontend.md).
 */

import { COLOURS, mountAnnotations } from "./annotations.js";
import { MAX_POINTS, clampToSlide, hitTest as nearest, outline, pointsProblem, simplify } from "./geometry.js";
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
      command({ type: "annotation_update", id: selected, text: textInput.value.trim() }, "The new label", shape);
    }
  });
  const remove = button("Delete", "tool tool-delete", () => deleteSelected());
  remove.title = "Delete the selected drawing (Delete)";
  remove.disabled = true;
  const status = el("span", "drawing-status");
  status.setAttribute("role", "status");
  ctx.slot("toolbar").append(bar, palette, textInput, remove, status);

  /** Commands in flight by ref: what they were (for the message) and the shape to restore. */
  /** @type {Map<string, { what: string, before: AnnotationShape | null }>} */
  const pending = new Map();
  let refs = 0;
  let statusTimer = 0;

  /**
   * Sends an annotation command with a ref, so a refusal can be told apart
   * and undone on screen (a refused move or label goes back).
   * @param {Record<string, unknown> & { type: string }} frame
   * @param {string} what how the message names it ("The arrow")
   * @param {AnnotationShape | null} [before] the shape before a local preview
   */
  function command(frame, what, before = null) {
    refs += 1;
    const ref = `draw-${refs}`;
    pending.set(ref, { what, before });
    if (pending.size > 50) pending.delete(/** @type {string} */ (pending.keys().next().value));
    if (!client.send(/** @type {any} */ ({ ...frame, ref }))) {
      pending.delete(ref);
      showStatus(`${what} was not sent: the connection is down. Try again once it is back.`);
      if (before) drawings.preview(before);
    }
  }

  /** @param {string} text */
  function showStatus(text) {
    status.textContent = text;
    window.clearTimeout(statusTimer);
    statusTimer = window.setTimeout(() => (status.textContent = ""), 10000);
  }

  client.on("error", (event) => {
    const sent = event.ref ? pending.get(event.ref) : undefined;
    if (!sent) return;
    pending.delete(/** @type {string} */ (event.ref));
    if (sent.before) drawings.preview(sent.before);
    showStatus(`${sent.what} was not saved: ${event.message || event.code}.`);
  });
  setColour(colour);

  /** @param {string} value */
  function setColour(value) {
    colour = value;
    for (const swatch of palette.children) {
      const on = /** @type {HTMLElement} */ (swatch).dataset.colour === value;
      swatch.setAttribute("aria-checked", String(on));
    }
    if (selected !== null) command({ type: "annotation_update", id: selected, colour: value }, "The new colour");
  }

  /**
   * @param {Kind} kind
   * @param {number[][]} pts
   * @param {string} [text]
   */
  function create(kind, pts, text = "") {
    const slide = viewer.slide;
    if (!slide) return;
    const onSlide = pts.map((p) => clampToSlide(p, slide));
    const problem = pointsProblem(kind, onSlide);
    if (problem) {
      ctx.toast(problem, "error");
      return;
    }
    command(
      { type: "annotation_create", slide_id: slide.id, annotation: { kind, colour, points: /** @type {any} */ (onSlide), text } },
      `The ${kind === "rectangle" ? "box" : kind}`,
    );
  }

  /** @param {number[][]} pts */
  function draft(pts, kind = /** @type {Kind} */ (active)) {
    const slide = viewer.slide;
    const shape = /** @type {[number, number][]} */ (pts);
    drawings.setDraft(slide && pts.length ? { slide_id: slide.id, kind, colour, points: shape, text: kind === "text" ? textInput.value : "" } : null);
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
        if (Math.hypot(ax - bx, ay - by) >= FREEHAND_STEP_PX) points.push(point);
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
          const slide = viewer.slide;
          const moved = moving.shape.points.map((p) => (slide ? clampToSlide([p[0] + dx, p[1] + dy], slide) : p));
          command({ type: "annotation_update", id: moving.shape.id, points: /** @type {any} */ (moved) }, "The move", moving.shape);
        } else {
          drawings.preview(moving.shape); // a click, not a move: put it back exactly
        }
        moving = null;
        return;
      }
      if (!active) return;
      if (DRAG_KINDS.has(active) && points.length === 2) {
        const [a] = points;
        const [ax, ay] = viewer.screenPoint(a[0], a[1]);
        const [bx, by] = viewer.screenPoint(point[0], point[1]);
        if (Math.hypot(ax - bx, ay - by) > 4) create(/** @type {Kind} */ (active), [a, point]);
        points = [];
        draft([]);
      } else if (active === "freehand" && points.length) {
        // A long stroke is simplified to what the server accepts (5000 points), tolerance
        // starting at a quarter of a screen pixel.
        const zoom = viewer.zoom || 1;
        if (points.length >= 2) create("freehand", simplify(points, MAX_POINTS, 0.25 / zoom));
        points = [];
        draft([]);
      }
    },
    click(point, event) {
      if (active === "point") create("point", [point]);
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
          create("polygon", points);
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
    const p = viewer.screenPoint(point[0], point[1]);
    const candidates = drawings.all().map((shape) => ({
      shape,
      outline: outline(shape.kind, shape.points).map((q) => viewer.screenPoint(q[0], q[1])),
    }));
    const hit = nearest(p, candidates, HIT_PX);
    return hit ? hit.id : null;
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
    command({ type: "annotation_delete", id: selected }, "The deletion");
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
