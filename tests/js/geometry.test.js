// @ts-check
/**
 * The annotation and measuring maths (live/geometry.js): outlines of each
 * kind, SVG paths, hit-testing, lengths in µm, areas in mm² (shoelace),
 * clamping to the slide, and freehand simplification under 5000 points.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  POINT_LIMITS,
  areaSquareMm,
  arrowHead,
  clampToSlide,
  douglasPeucker,
  ellipsePoints,
  formatArea,
  formatLength,
  hitTest,
  insidePolygon,
  lengthMicrons,
  micronsPerPixel,
  outline,
  pathData,
  pointsProblem,
  rectanglePoints,
  segmentDistance,
  simplify,
} from "../../frontend/static/frontend/live/geometry.js";

/** @param {number} a @param {number} b */
const near = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

describe("outlines of each kind", () => {
  it("a rectangle from two opposite corners, in any order, closed", () => {
    assert.deepEqual(rectanglePoints([10, 20], [0, 0]), [[10, 20], [0, 20], [0, 0], [10, 0]]);
    const line = outline("rectangle", [[0, 0], [10, 5]]);
    assert.equal(line.length, 5);
    assert.deepEqual(line[0], line[4]);
  });

  it("an ellipse lies on its bounding box's ellipse", () => {
    for (const [x, y] of ellipsePoints([0, 0], [200, 100])) near(((x - 100) / 100) ** 2 + ((y - 50) / 50) ** 2, 1, 1e-9);
    assert.equal(ellipsePoints([0, 0], [2, 2], 12).length, 12);
  });

  it("a polygon closes, open kinds stay open, a point is one point", () => {
    assert.deepEqual(outline("polygon", [[0, 0], [1, 0], [0, 1]]).at(-1), [0, 0]);
    assert.equal(outline("freehand", [[0, 0], [1, 0], [0, 1]]).length, 3);
    assert.equal(outline("line", [[0, 0], [1, 1]]).length, 2);
    assert.deepEqual(outline("point", [[3, 4]]), [[3, 4]]);
  });

  it("paths: M then L, Z only when closed with 3+ points, a placeholder on NaN", () => {
    assert.equal(pathData([[0, 0], [10, 0], [10, 10]], true), "M0.0 0.0L10.0 0.0L10.0 10.0Z");
    assert.equal(pathData([[0, 0], [1.25, 2]], true), "M0.0 0.0L1.3 2.0");
    assert.equal(pathData([[NaN, 0]], false), "M0 0");
  });

  it("an arrow head's wings sit behind the head, symmetric", () => {
    const [a, b] = arrowHead([0, 0], [100, 0], 14);
    assert.ok(a[0] < 100 && b[0] < 100);
    near(a[1], -b[1]);
    near(Math.hypot(a[0] - 100, a[1]), 14);
  });
});

describe("hit-testing", () => {
  /** @typedef {{ id: number, kind: import("../../frontend/static/frontend/live/geometry.js").Kind }} Shape */
  /** @type {Shape} */
  const line = { id: 1, kind: "line" };
  /** @type {Shape} */
  const box = { id: 2, kind: "rectangle" };
  /** @type {Shape} */
  const small = { id: 3, kind: "polygon" };
  const candidates = [
    { shape: line, outline: outline("line", [[0, 0], [100, 0]]) },
    { shape: box, outline: outline("rectangle", [[200, 200], [400, 400]]) },
    { shape: small, outline: outline("polygon", [[250, 250], [300, 250], [300, 300]]) },
  ];

  it("the segment distance is perpendicular inside, to the end outside", () => {
    near(segmentDistance([50, 5], [0, 0], [100, 0]), 5);
    near(segmentDistance([103, 4], [0, 0], [100, 0]), 5);
    near(segmentDistance([3, 4], [0, 0], [0, 0]), 5);
  });

  it("near an outline selects it; far from everything selects nothing", () => {
    assert.equal(hitTest([50, 8], candidates, 10), line);
    assert.equal(hitTest([50, 30], candidates, 10), null);
    assert.equal(hitTest([205, 300], candidates, 10), box);
  });

  it("inside closed shapes, the smallest wins", () => {
    assert.equal(hitTest([290, 270], candidates, 1), small);
    assert.equal(hitTest([220, 380], candidates, 1), box);
    assert.ok(insidePolygon([1, 1], [[0, 0], [4, 0], [4, 4], [0, 4]]));
    assert.ok(!insidePolygon([5, 1], [[0, 0], [4, 0], [4, 4], [0, 4]]));
  });
});

describe("measuring", () => {
  it("micrometres per pixel: mpp_y falls back to mpp_x; none without calibration", () => {
    assert.deepEqual(micronsPerPixel({ mpp_x: 0.25, mpp_y: 0.5 }), [0.25, 0.5]);
    assert.deepEqual(micronsPerPixel({ mpp_x: 0.25, mpp_y: null }), [0.25, 0.25]);
    assert.equal(micronsPerPixel({ mpp_x: null }), null);
    assert.equal(micronsPerPixel({ mpp_x: 0 }), null);
    assert.equal(micronsPerPixel(null), null);
  });

  it("a line's length in µm, x and y scaled apart", () => {
    near(lengthMicrons([[0, 0], [1000, 0]], [0.25, 0.25]), 250);
    near(lengthMicrons([[0, 0], [300, 400]], [1, 1]), 500);
    near(lengthMicrons([[0, 0], [0, 100]], [0.25, 0.5]), 50);
    near(lengthMicrons([[0, 0], [10, 0], [10, 10]], [1, 1]), 20);
    assert.equal(lengthMicrons([[5, 5]], [1, 1]), 0);
  });

  it("a polygon's area in mm² by the shoelace formula, either winding", () => {
    const square = [[0, 0], [4000, 0], [4000, 4000], [0, 4000]];
    near(areaSquareMm(square, [0.25, 0.25]), 1); // 1000 µm a side
    near(areaSquareMm([...square].reverse(), [0.25, 0.25]), 1);
    near(areaSquareMm([[0, 0], [2000, 0], [0, 2000]], [0.5, 0.5]), 0.5);
    near(areaSquareMm([[0, 0], [1000, 0], [1000, 1000], [0, 1000]], [0.25, 0.5]), 0.125);
    near(areaSquareMm([[0, 0], [1, 1]], [1, 1]), 0);
  });

  it("formats: µm under 1 mm, mm above; mm² or µm² for tiny areas", () => {
    assert.equal(formatLength(12.345), "12.3 µm");
    assert.equal(formatLength(250), "250 µm");
    assert.equal(formatLength(1500), "1.50 mm");
    assert.equal(formatLength(12500), "12.5 mm");
    assert.equal(formatArea(1), "1.000 mm²");
    assert.equal(formatArea(0.0005), "500 µm²");
  });
});

describe("points on the slide", () => {
  const slide = { width: 1000, height: 500, offset: [10, 20] };

  it("clamps to the slide's bounds, offset included", () => {
    assert.deepEqual(clampToSlide([-5, 30], slide), [10, 30]);
    assert.deepEqual(clampToSlide([2000, 2000], slide), [1010, 520]);
    assert.deepEqual(clampToSlide([500, 100], slide), [500, 100]);
    assert.deepEqual(clampToSlide([-1, -1], { width: 5, height: 5 }), [0, 0]);
  });

  it("point counts as the server checks them", () => {
    assert.equal(POINT_LIMITS.polygon[1], 5000);
    assert.equal(pointsProblem("line", [[0, 0], [1, 1]]), null);
    assert.match(String(pointsProblem("line", [[0, 0]])), /at least 2/);
    assert.match(String(pointsProblem("point", [[0, 0], [1, 1]])), /at most 1/);
    assert.match(String(pointsProblem("polygon", [[0, 0], [1, 1]])), /at least 3/);
    assert.match(String(pointsProblem("freehand", [[0, 0], [NaN, 1]])), /finite/);
    assert.match(String(pointsProblem(/** @type {any} */ ("blob"), [[0, 0]])), /Unknown kind/);
  });
});

describe("freehand simplification", () => {
  /** A wobbly spiral of n points. */
  const spiral = (/** @type {number} */ n) =>
    Array.from({ length: n }, (_, i) => [i + 3 * Math.sin(i / 5), 500 * Math.sin(i / 300) + Math.cos(i)]);

  it("Douglas-Peucker drops collinear points and keeps corners and ends", () => {
    const pts = [[0, 0], [1, 0], [2, 0], [3, 0], [3, 1], [3, 2]];
    assert.deepEqual(douglasPeucker(pts, 0.1), [[0, 0], [3, 0], [3, 2]]);
    assert.deepEqual(douglasPeucker([[0, 0], [1, 1]], 5), [[0, 0], [1, 1]]);
  });

  it("a long stroke comes back under 5000 points with its ends, close to the original", () => {
    const long = spiral(20000);
    const out = simplify(long);
    assert.ok(out.length <= 5000 && out.length >= 2, `${out.length} points`);
    assert.deepEqual(out[0], long[0]);
    assert.deepEqual(out.at(-1), long.at(-1));
    // Every original point stays close to the simplified stroke.
    let worst = 0;
    for (let i = 0; i < long.length; i += 97) {
      let d = Infinity;
      for (let j = 1; j < out.length; j += 1) d = Math.min(d, segmentDistance(long[i], out[j - 1], out[j]));
      worst = Math.max(worst, d);
    }
    assert.ok(worst < 5, `worst deviation ${worst} px`);
  });

  it("short strokes are kept as they are; a small max is honoured; max < 2 is an error", () => {
    const short = spiral(100);
    assert.equal(simplify(short).length, 100);
    assert.ok(simplify(spiral(1000), 10).length <= 10);
    assert.throws(() => simplify(short, 1), RangeError);
  });
});
