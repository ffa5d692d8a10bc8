// @ts-check
/** The class map's maths (frontend/static/frontend/live/classmap.js): what a student's screen shows. */

import assert from "node:assert/strict";
import { test } from "node:test";

import { viewCorners } from "../../frontend/static/frontend/live/classmap.js";

/** @param {number[][]} corners */
function extent(corners) {
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  return [Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
}

test("an upright view is a 1366x768 screen around its centre, in level-0 pixels", () => {
  const corners = viewCorners({ x: 1000, y: 500, zoom: 1, rotation: 0 });
  assert.deepEqual(corners[0], [1000 - 683, 500 - 384]);
  assert.deepEqual(corners[2], [1000 + 683, 500 + 384]);
});

test("zooming in shows a smaller part of the slide", () => {
  const [w, h] = extent(viewCorners({ x: 0, y: 0, zoom: 2, rotation: 0 }));
  assert.equal(w, 683);
  assert.equal(h, 384);
});

test("a quarter turn swaps the extents; the centre stays", () => {
  const corners = viewCorners({ x: 5000, y: 4000, zoom: 0.5, rotation: 90 });
  const [w, h] = extent(corners);
  assert.ok(Math.abs(w - 768 * 2) < 1e-6 && Math.abs(h - 1366 * 2) < 1e-6);
  const cx = corners.reduce((s, c) => s + c[0], 0) / 4;
  const cy = corners.reduce((s, c) => s + c[1], 0) / 4;
  assert.ok(Math.abs(cx - 5000) < 1e-6 && Math.abs(cy - 4000) < 1e-6);
});
