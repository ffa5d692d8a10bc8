// @ts-check
/**
 * The live class map (staff): where roaming students are looking, from
 * `class_views` (each roaming student's latest own view, at most once a
 * second). Each view is drawn as the rectangle a 1366×768 laptop shows at
 * that centre, zoom and rotation, labelled with the student's name; with
 * many students the translucent fills add up to a heatmap.
 */

import { Overlay, svg } from "./overlay.js";
import { button } from "./page.js";

/**
 * @import { LiveContext } from "../../../types/live.js"
 * @import { ClassView } from "../../../types/protocol.js"
 */

/** The screen a student's view is drawn for (CSS pixels). */
const SCREEN = [1366, 768];
/** Above this many views the names are left out (the fills make the heatmap). */
const LABEL_LIMIT = 12;

/**
 * The corners of what a screen shows of the slide at a view, in level-0 pixels.
 * @param {{ x: number, y: number, zoom: number, rotation: number }} view
 * @returns {number[][]}
 */
export function viewCorners(view) {
  const hw = SCREEN[0] / 2 / view.zoom;
  const hh = SCREEN[1] / 2 / view.zoom;
  const a = (-view.rotation * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  return [[-hw, -hh], [hw, -hh], [hw, hh], [-hw, hh]].map(([dx, dy]) => [
    view.x + dx * cos - dy * sin,
    view.y + dx * sin + dy * cos,
  ]);
}

/** @param {LiveContext} ctx */
export function mountClassMap(ctx) {
  const { client, viewer } = ctx;
  const layer = new Overlay(viewer, "overlay-classmap");
  /** @type {ClassView[]} */
  let views = [];
  let shown = true;
  const toggle = button("Class map", "tool tool-classmap", () => {
    shown = !shown;
    toggle.setAttribute("aria-pressed", String(shown));
    layer.redraw();
  });
  toggle.title = "Show where roaming students are looking";
  toggle.setAttribute("aria-pressed", "true");
  const count = document.createElement("span");
  count.className = "classmap-count";
  toggle.append(count);
  const group = document.createElement("div");
  group.className = "tool-group";
  group.append(toggle);
  ctx.slot("toolbar").append(group);

  client.on("class_views", (event) => {
    views = event.views;
    count.textContent = views.length ? ` (${views.length})` : "";
    layer.redraw();
  });
  client.on("slide_opened", () => {
    views = [];
    count.textContent = "";
    layer.redraw();
  });

  layer.paint(() => {
    const slide = viewer.slide;
    if (!shown || !slide) {
      layer.root.replaceChildren();
      return;
    }
    const mine = views.filter((v) => v.viewport.slide_id === slide.id);
    const labels = mine.length <= LABEL_LIMIT;
    layer.root.replaceChildren(
      ...mine.map((v) => {
        const g = svg("g", { class: "class-view" });
        g.dataset.participant = v.participant;
        const corners = viewCorners(v.viewport);
        g.append(svg("path", { d: layer.path(corners, true), class: "class-view-box" }));
        if (labels) {
          const [x, y] = layer.screen(corners[0][0], corners[0][1]);
          const label = svg("text", { x: x + 4, y: y + 16, class: "class-view-name" });
          label.textContent = v.name;
          g.append(label);
        }
        return g;
      }),
    );
  });
}
