// @ts-check
/**
 * The teacher's drawings and laser pointer, live on every page
 * (docs/protocol.md: annotation_created/updated/deleted, pointer, and the
 * snapshot's and slide_opened's `annotations`). Each kind is drawn in screen
 * pixels through overlay.js, so strokes and labels keep their size at every
 * zoom and rotation.
 *
 *   const drawings = mountAnnotations(ctx);
 *   drawings.all();                 // the current slide's, for the drawing tools
 *   drawings.select(id);            // highlight one (the teacher's editor)
 */

import { arrowHead, ellipsePoints, pathData, rectanglePoints } from "./geometry.js";
import { Overlay, svg } from "./overlay.js";

/**
 * @import { LiveContext } from "../../../types/live.js"
 * @import { AnnotationShape } from "../../../types/protocol.js"
 */

/** Colour names, so colour is never the only thing that tells drawings apart. */
export const COLOURS = Object.freeze({
  "#ffeb3b": "yellow",
  "#00e5ff": "cyan",
  "#76ff03": "green",
  "#ff4081": "pink",
  "#ffffff": "white",
  "#000000": "black",
});

const ARROW_HEAD_PX = 14;
const POINTER_FADE_MS = 2500;

/**
 * @param {LiveContext} ctx
 */
export function mountAnnotations(ctx) {
  const { client, viewer } = ctx;
  /** @type {Map<number, AnnotationShape>} */
  const shapes = new Map();
  /** @type {number | null} */
  let selected = null;
  /** A shape being drawn (the teacher's tools), not yet sent. */
  /** @type {Omit<AnnotationShape, "id" | "created_by"> | null} */
  let draft = null;
  const layer = new Overlay(viewer, "overlay-annotations");
  const pointerLayer = new Overlay(viewer, "overlay-pointer");
  const dot = svg("circle", { r: 10, class: "laser", cx: -100, cy: -100 });
  /** @type {[number, number] | null} */
  let pointer = null;
  let pointerTimer = 0;

  /** @param {AnnotationShape[]} list */
  function reset(list) {
    shapes.clear();
    for (const shape of list) shapes.set(shape.id, shape);
    layer.redraw();
  }

  client.on("snapshot", (snapshot) => reset(snapshot.annotations));
  client.on("slide_opened", (event) => {
    selected = null;
    reset(event.annotations);
    setPointer(null);
  });
  client.on("annotation_created", (event) => {
    shapes.set(event.annotation.id, event.annotation);
    layer.redraw();
  });
  client.on("annotation_updated", (event) => {
    shapes.set(event.annotation.id, event.annotation);
    layer.redraw();
  });
  client.on("annotation_deleted", (event) => {
    shapes.delete(event.id);
    if (selected === event.id) selected = null;
    layer.redraw();
  });
  client.on("pointer", (event) => setPointer(event.point));

  /** @param {number[] | null} point */
  function setPointer(point) {
    pointer = point ? [point[0], point[1]] : null;
    window.clearTimeout(pointerTimer);
    dot.classList.toggle("laser-on", Boolean(pointer));
    if (pointer) pointerTimer = window.setTimeout(() => setPointer(null), POINTER_FADE_MS);
    pointerLayer.redraw();
  }

  pointerLayer.paint(() => {
    if (dot.parentNode !== pointerLayer.root) pointerLayer.root.replaceChildren(dot);
    if (!pointer) return;
    const [x, y] = pointerLayer.screen(pointer[0], pointer[1]);
    dot.setAttribute("cx", x.toFixed(1));
    dot.setAttribute("cy", y.toFixed(1));
  });

  layer.paint(() => {
    const slide = viewer.slide;
    const nodes = [];
    for (const shape of shapes.values()) {
      if (!slide || shape.slide_id !== slide.id) continue;
      nodes.push(draw(layer, shape, shape.id === selected));
    }
    if (draft) nodes.push(draw(layer, draft, false, true));
    layer.root.replaceChildren(...nodes);
  });

  return {
    /** The current slide's drawings. */
    all() {
      const slide = viewer.slide;
      return [...shapes.values()].filter((s) => slide && s.slide_id === slide.id);
    },
    /** @param {number} id */
    get(id) {
      return shapes.get(id) || null;
    },
    /** @param {number | null} id */
    select(id) {
      selected = id;
      layer.redraw();
    },
    /** @param {Omit<AnnotationShape, "id" | "created_by"> | null} shape a drawing in progress */
    setDraft(shape) {
      draft = shape;
      layer.redraw();
    },
    /**
     * Show an edit before the server confirms it (its event replaces it).
     * @param {AnnotationShape} shape
     */
    preview(shape) {
      shapes.set(shape.id, shape);
      layer.redraw();
    },
  };
}

/**
 * One drawing as SVG in screen pixels.
 * @param {Overlay} layer
 * @param {Omit<AnnotationShape, "id" | "created_by"> & { id?: number }} shape
 * @param {boolean} selected
 * @param {boolean} [isDraft]
 * @returns {SVGElement}
 */
export function draw(layer, shape, selected, isDraft = false) {
  const g = svg("g", {
    class: `drawing drawing-${shape.kind}${selected ? " selected" : ""}${isDraft ? " draft" : ""}`,
    stroke: shape.colour,
    fill: "none",
  });
  if (shape.id !== undefined) g.dataset.id = String(shape.id);
  g.dataset.kind = shape.kind;
  const pts = shape.points;
  /** @param {string} d */
  const path = (d) => {
    // A wide transparent halo first: the shape stays visible on any stain.
    g.append(svg("path", { d, class: "halo" }), svg("path", { d, class: "stroke" }));
  };
  switch (shape.kind) {
    case "point":
    case "text": {
      const [x, y] = layer.screen(pts[0][0], pts[0][1]);
      g.append(svg("circle", { cx: x, cy: y, r: 7, class: "marker", fill: shape.colour }));
      if (shape.text) {
        const label = svg("text", { x: x + 12, y: y + 5, class: "label", fill: shape.colour });
        label.textContent = shape.text;
        g.append(label);
      }
      break;
    }
    case "line":
      path(layer.path(pts, false));
      break;
    case "arrow": {
      path(layer.path(pts, false));
      const tail = layer.screen(pts[0][0], pts[0][1]);
      const head = layer.screen(pts[1][0], pts[1][1]);
      const [a, b] = arrowHead(tail, head, ARROW_HEAD_PX);
      path(pathData([a, head, b], false));
      break;
    }
    case "rectangle":
      path(layer.path(rectanglePoints(pts[0], pts[1]), true));
      break;
    case "ellipse":
      path(layer.path(ellipsePoints(pts[0], pts[1]), true));
      break;
    case "polygon":
      path(layer.path(pts, true));
      break;
    case "freehand":
      path(layer.path(pts, false));
      break;
  }
  if (shape.text && shape.kind !== "point" && shape.kind !== "text") {
    const [x, y] = layer.screen(pts[0][0], pts[0][1]);
    const label = svg("text", { x: x + 8, y: y - 8, class: "label", fill: shape.colour });
    label.textContent = shape.text;
    g.append(label);
  }
  return g;
}
