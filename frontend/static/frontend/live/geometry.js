// @ts-check
/**
 * Pure geometry of annotations and measurements, in level-0 pixels (the
 * protocol's coordinates, docs/architecture.md). No DOM, no viewer: the
 * overlay (overlay.js), the drawing tools (drawing.js) and the measuring tool
 * (measure.js) call these, and tests/js/geometry.test.js tests them in node.
 *
 *   outline("rectangle", [[0, 0], [10, 5]])   // the corners, closed
 *   lengthMicrons([[0, 0], [100, 0]], [0.25, 0.25])   // 25 (µm)
 *   areaSquareMm(square, [0.5, 0.5])          // shoelace, in mm²
 *   simplify(points, 5000)                    // a freehand stroke the server accepts
 */

/** @typedef {[number, number]} Point */
/** @typedef {"point" | "text" | "arrow" | "line" | "rectangle" | "ellipse" | "polygon" | "freehand"} Kind */

/** Point counts per kind, as the server checks them (docs/protocol.md, "Annotations"). */
export const POINT_LIMITS = Object.freeze({
  point: [1, 1],
  text: [1, 1],
  arrow: [2, 2],
  line: [2, 2],
  rectangle: [2, 2],
  ellipse: [2, 2],
  polygon: [3, 5000],
  freehand: [2, 5000],
});
export const MAX_POINTS = 5000;

/**
 * The four corners of a rectangle given two opposite corners.
 * @param {number[]} a
 * @param {number[]} b
 * @returns {Point[]}
 */
export function rectanglePoints(a, b) {
  return [
    [a[0], a[1]],
    [b[0], a[1]],
    [b[0], b[1]],
    [a[0], b[1]],
  ];
}

/**
 * The outline of an ellipse given its bounding box's corners, as a polygon
 * (so it turns with the viewer's rotation like any other shape).
 * @param {number[]} a
 * @param {number[]} b
 * @param {number} [steps]
 * @returns {Point[]}
 */
export function ellipsePoints(a, b, steps = 72) {
  const cx = (a[0] + b[0]) / 2;
  const cy = (a[1] + b[1]) / 2;
  const rx = Math.abs(b[0] - a[0]) / 2;
  const ry = Math.abs(b[1] - a[1]) / 2;
  /** @type {Point[]} */
  const out = [];
  for (let i = 0; i < steps; i += 1) {
    const t = (i / steps) * 2 * Math.PI;
    out.push([cx + rx * Math.cos(t), cy + ry * Math.sin(t)]);
  }
  return out;
}

/**
 * The points a drawing's outline runs through, closed shapes closed (the
 * first point repeated). One point for point and text.
 * @param {Kind} kind
 * @param {number[][]} points
 * @returns {Point[]}
 */
export function outline(kind, points) {
  const p = /** @type {Point[]} */ (points.map((q) => [q[0], q[1]]));
  if (kind === "rectangle") {
    const r = rectanglePoints(p[0], p[1]);
    return [...r, r[0]];
  }
  if (kind === "ellipse") {
    const e = ellipsePoints(p[0], p[1]);
    return [...e, e[0]];
  }
  if (kind === "polygon") return [...p, p[0]];
  return p;
}

/** @param {Kind} kind */
export function isClosed(kind) {
  return kind === "rectangle" || kind === "ellipse" || kind === "polygon";
}

/**
 * An SVG path through points already in screen pixels.
 * @param {number[][]} points
 * @param {boolean} closed
 */
export function pathData(points, closed) {
  let d = "";
  for (let i = 0; i < points.length; i += 1) {
    const [x, y] = points[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) return "M0 0";
    d += `${i ? "L" : "M"}${x.toFixed(1)} ${y.toFixed(1)}`;
  }
  return closed && points.length > 2 ? d + "Z" : d;
}

/**
 * The two wings of an arrow head at `head`, coming from `tail` (screen px).
 * @param {number[]} tail
 * @param {number[]} head
 * @param {number} size
 * @returns {[Point, Point]}
 */
export function arrowHead(tail, head, size) {
  const angle = Math.atan2(head[1] - tail[1], head[0] - tail[0]);
  /** @param {number} side @returns {Point} */
  const wing = (side) => {
    const a = angle + Math.PI + side * 0.45;
    return [head[0] + size * Math.cos(a), head[1] + size * Math.sin(a)];
  };
  return [wing(-1), wing(1)];
}

/**
 * Distance from p to the segment a-b.
 * @param {number[]} p
 * @param {number[]} a
 * @param {number[]} b
 */
export function segmentDistance(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length)) : 0;
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

/**
 * Is p inside the polygon (even-odd rule)?
 * @param {number[]} p
 * @param {number[][]} polygon
 */
export function insidePolygon(p, polygon) {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i, i += 1) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * How far p is from a drawing's outline or marker. All in one unit (screen pixels when the caller maps both).
 * @param {number[]} p
 * @param {number[][]} shapeOutline from outline(), mapped as p is
 */
export function distanceTo(p, shapeOutline) {
  if (!shapeOutline.length) return Infinity;
  if (shapeOutline.length === 1) return Math.hypot(shapeOutline[0][0] - p[0], shapeOutline[0][1] - p[1]);
  let d = Infinity;
  for (let i = 1; i < shapeOutline.length; i += 1) d = Math.min(d, segmentDistance(p, shapeOutline[i - 1], shapeOutline[i]));
  return d;
}

/**
 * The drawing nearest to p within `tolerance`, or null. Outlines come mapped
 * (e.g. to screen pixels) by the caller; a click on an outline wins over a
 * click inside a closed shape, and inside, the smallest shape wins.
 * @template {{ id: number, kind: Kind }} S
 * @param {number[]} p
 * @param {{ shape: S, outline: number[][] }[]} candidates
 * @param {number} tolerance
 * @returns {S | null}
 */
export function hitTest(p, candidates, tolerance) {
  /** @type {S | null} */
  let best = null;
  let bestDistance = tolerance;
  for (const { shape, outline: line } of candidates) {
    const d = distanceTo(p, line);
    if (d <= bestDistance) {
      bestDistance = d;
      best = shape;
    }
  }
  if (best) return best;
  let smallest = Infinity;
  for (const { shape, outline: line } of candidates) {
    if (!isClosed(shape.kind) || !insidePolygon(p, line)) continue;
    const area = Math.abs(shoelace(line));
    if (area < smallest) {
      smallest = area;
      best = shape;
    }
  }
  return best;
}

/**
 * Twice the signed area (shoelace), in the points' units squared. A repeated
 * closing point adds nothing.
 * @param {number[][]} points
 */
export function shoelace(points) {
  let twice = 0;
  for (let i = 0; i < points.length; i += 1) {
    const [x1, y1] = points[i];
    const [x2, y2] = points[(i + 1) % points.length];
    twice += x1 * y2 - x2 * y1;
  }
  return twice;
}

/**
 * Micrometres per level-0 pixel in x and y, or null on an uncalibrated scan
 * (mpp_y falls back to mpp_x).
 * @param {{ mpp_x?: number | null, mpp_y?: number | null } | null} slide
 * @returns {[number, number] | null}
 */
export function micronsPerPixel(slide) {
  if (!slide || !(typeof slide.mpp_x === "number" && slide.mpp_x > 0)) return null;
  const y = typeof slide.mpp_y === "number" && slide.mpp_y > 0 ? slide.mpp_y : slide.mpp_x;
  return [slide.mpp_x, y];
}

/**
 * A polyline's length in µm (x and y scaled apart: pixels need not be square).
 * @param {number[][]} points level-0 pixels
 * @param {[number, number]} mpp
 */
export function lengthMicrons(points, mpp) {
  let total = 0;
  for (let i = 1; i < points.length; i += 1) {
    total += Math.hypot((points[i][0] - points[i - 1][0]) * mpp[0], (points[i][1] - points[i - 1][1]) * mpp[1]);
  }
  return total;
}

/**
 * A polygon's area in mm² (shoelace; 1 mm² = 10⁶ µm²).
 * @param {number[][]} points level-0 pixels
 * @param {[number, number]} mpp
 */
export function areaSquareMm(points, mpp) {
  return (Math.abs(shoelace(points)) / 2) * mpp[0] * mpp[1] * 1e-6;
}

/** @param {number} um */
export function formatLength(um) {
  if (um >= 1000) return `${(um / 1000).toFixed(um >= 10000 ? 1 : 2)} mm`;
  return `${um >= 100 ? um.toFixed(0) : um.toFixed(1)} µm`;
}

/** @param {number} mm2 */
export function formatArea(mm2) {
  return mm2 >= 0.01 ? `${mm2.toFixed(3)} mm²` : `${(mm2 * 1e6).toFixed(0)} µm²`;
}

/**
 * A point moved onto the slide (level-0 px; `offset` is the slide's
 * bounds offset, docs/architecture.md).
 * @param {number[]} p
 * @param {{ width: number, height: number, offset?: number[] | null }} slide
 * @returns {Point}
 */
export function clampToSlide(p, slide) {
  const [ox, oy] = Array.isArray(slide.offset) ? slide.offset : [0, 0];
  return [Math.min(ox + slide.width, Math.max(ox, p[0])), Math.min(oy + slide.height, Math.max(oy, p[1]))];
}

/**
 * Ramer-Douglas-Peucker: drop points within `epsilon` of the line through
 * their neighbours. Ends are kept.
 * @param {number[][]} points
 * @param {number} epsilon
 * @returns {Point[]}
 */
export function douglasPeucker(points, epsilon) {
  const n = points.length;
  if (n < 3) return /** @type {Point[]} */ (points.map((p) => [p[0], p[1]]));
  const keep = new Uint8Array(n);
  keep[0] = 1;
  keep[n - 1] = 1;
  /** @type {[number, number][]} */
  const stack = [[0, n - 1]];
  while (stack.length) {
    const [first, last] = /** @type {[number, number]} */ (stack.pop());
    let far = -1;
    let farDistance = epsilon;
    for (let i = first + 1; i < last; i += 1) {
      const d = segmentDistance(points[i], points[first], points[last]);
      if (d > farDistance) {
        farDistance = d;
        far = i;
      }
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([first, far], [far, last]);
    }
  }
  /** @type {Point[]} */
  const out = [];
  for (let i = 0; i < n; i += 1) if (keep[i]) out.push([points[i][0], points[i][1]]);
  return out;
}

/**
 * A stroke with at most `max` points, as close to the original as that
 * allows: first Douglas-Peucker at `epsilon`, then a growing tolerance until
 * it fits (the server refuses more than 5000).
 * @param {number[][]} points
 * @param {number} [max]
 * @param {number} [epsilon] in the points' units (level-0 px)
 * @returns {Point[]}
 */
export function simplify(points, max = MAX_POINTS, epsilon = 0) {
  if (max < 2) throw new RangeError("simplify: max must be at least 2");
  let tolerance = epsilon;
  let out = epsilon > 0 ? douglasPeucker(points, tolerance) : /** @type {Point[]} */ (points.map((p) => [p[0], p[1]]));
  if (out.length <= max) return out;
  if (tolerance <= 0) {
    // Start from a small fraction of the stroke's extent.
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of points) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
    const extent = Math.max(x1 - x0, y1 - y0);
    tolerance = Math.max(extent * 1e-5, 1e-9);
  }
  while (out.length > max) {
    tolerance *= 1.5;
    out = douglasPeucker(points, tolerance);
  }
  return out;
}

/**
 * Checks a shape's points as the server will (counts per kind, finite
 * numbers), so the tools can say what is wrong before sending.
 * @param {Kind} kind
 * @param {number[][]} points
 * @returns {string | null} what is wrong, or null
 */
export function pointsProblem(kind, points) {
  const limits = POINT_LIMITS[kind];
  if (!limits) return `Unknown kind of drawing: ${kind}.`;
  const [low, high] = limits;
  if (points.length < low) return `A ${kind} needs at least ${low} point${low > 1 ? "s" : ""}.`;
  if (points.length > high) return `A ${kind} takes at most ${high} point${high > 1 ? "s" : ""}.`;
  if (!points.every((p) => p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]))) {
    return "Every point needs two finite coordinates.";
  }
  return null;
}
