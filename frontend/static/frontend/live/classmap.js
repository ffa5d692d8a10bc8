// @ts-check
/**
 * The live class map (staff): where roaming students are looking, from
 * `class_views` (each roaming student's latest own view, at most once a
 * second). Each view is drawn as the rectangle a 1366×768 laptop shows at
 * that centre, zoom and rotation, labelled with the student's name, on the
 * slide and on the navigator. As a heatmap (the "Heatmap" toggle, and by
 * itself above LABEL_LIMIT views) the boxes lose their outlines and names and
 * their translucent fills add up where many students look.
 */

import { Overlay, svg } from "./overlay.js";
import { button, el } from "./page.js";

/**
 * @import { LiveContext } from "../../../types/live.js"
 * @import { ClassView } from "../../../types/protocol.js"
 */

/** The screen a student's view is drawn for (CSS pixels). */
const SCREEN = [1366, 768];
/** Above this many views the names are left out (the fills make the heatmap). */
const LABEL_LIMIT = 12;
const SVG = "http://www.w3.org/2000/svg";

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

/**
 * @param {LiveContext} ctx
 * @returns {{ toggle(): void }}
 */
export function mountClassMap(ctx) {
  const { client, viewer } = ctx;
  const layer = new Overlay(viewer, "overlay-classmap");
  /** @type {ClassView[]} */
  let views = [];
  let shown = true;
  let heat = false;

  const toggle = button("Class map", "tool tool-classmap", () => setShown(!shown));
  toggle.title = "Show where roaming students are looking (C)";
  toggle.setAttribute("aria-pressed", "true");
  const count = el("span", "classmap-count", "");
  toggle.append(count);
  const heatButton = button("Heatmap", "tool tool-heat", () => {
    heat = !heat;
    heatButton.setAttribute("aria-pressed", String(heat));
    redraw();
  });
  heatButton.title = "Draw the class map as a heatmap instead of named boxes";
  heatButton.setAttribute("aria-pressed", "false");
  const group = el("div", "tool-group classmap-tools");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Class map");
  group.append(toggle, heatButton);
  ctx.slot("toolbar").append(group);

  /** @param {boolean} value */
  function setShown(value) {
    shown = value;
    toggle.setAttribute("aria-pressed", String(shown));
    heatButton.disabled = !shown;
    redraw();
  }

  client.on("class_views", (event) => {
    views = event.views;
    count.textContent = views.length ? ` (${views.length})` : "";
    redraw();
  });
  // The roster is immediate, class_views come within a second: a student
  // who went back to following leaves the map at once.
  /** @type {Set<string>} */
  let following = new Set();
  /** @param {{ participant: string, following: boolean }[] | null | undefined} roster */
  function setRoster(roster) {
    following = new Set((roster || []).filter((r) => r.following).map((r) => r.participant));
    redraw();
  }
  client.on("snapshot", (snapshot) => setRoster(snapshot.roster));
  client.on("roster", (event) => setRoster(event.roster));
  client.on("slide_opened", () => {
    views = [];
    count.textContent = "";
    redraw();
  });

  // The navigator (OpenSeadragon's overview in the corner) gets the same
  // boxes, so views far from the teacher's are seen too.
  const mini = /** @type {SVGSVGElement} */ (document.createElementNS(SVG, "svg"));
  mini.setAttribute("class", "slide-overlay overlay-classmap navigator-classmap");
  mini.setAttribute("aria-hidden", "true");
  const navigator = viewer.osd.navigator;
  if (navigator) {
    navigator.element.append(mini);
    navigator.addHandler("update-viewport", () => drawNavigator());
  }

  function redraw() {
    layer.redraw();
    drawNavigator();
  }

  /** The views on the open slide, or none while hidden. */
  function current() {
    const slide = viewer.slide;
    if (!shown || !slide) return [];
    return views.filter((v) => v.viewport.slide_id === slide.id && !following.has(v.participant));
  }

  layer.paint(() => {
    const mine = current();
    const asHeat = heat || mine.length > LABEL_LIMIT;
    layer.root.classList.toggle("classmap-heat", asHeat);
    layer.root.replaceChildren(
      ...mine.map((v) => {
        const g = svg("g", { class: "class-view" });
        g.dataset.participant = v.participant;
        const corners = viewCorners(v.viewport);
        g.append(svg("path", { d: layer.path(corners, true), class: "class-view-box" }));
        if (!asHeat) {
          const [x, y] = layer.screen(corners[0][0], corners[0][1]);
          const label = svg("text", { x: x + 4, y: y + 16, class: "class-view-name" });
          label.textContent = v.name;
          g.append(label);
        }
        return g;
      }),
    );
  });

  function drawNavigator() {
    const item = navigator && navigator.world.getItemCount() ? navigator.world.getItemAt(0) : null;
    const slide = viewer.slide;
    if (!navigator || !item || !slide) {
      mini.replaceChildren();
      return;
    }
    const off = Array.isArray(slide.offset) ? slide.offset : [0, 0];
    const OSD = window.OpenSeadragon;
    mini.classList.toggle("classmap-heat", heat || current().length > LABEL_LIMIT);
    mini.replaceChildren(
      ...current().map((v) => {
        let d = "";
        viewCorners(v.viewport).forEach(([x, y], i) => {
          const point = item.imageToViewportCoordinates(new OSD.Point(x - Number(off[0] || 0), y - Number(off[1] || 0)));
          const pixel = navigator.viewport.pixelFromPoint(point, true);
          d += `${i ? "L" : "M"}${pixel.x.toFixed(1)} ${pixel.y.toFixed(1)}`;
        });
        const box = svg("path", { d: d + "Z", class: "class-view-box" });
        box.dataset.participant = v.participant;
        return box;
      }),
    );
  }

  return { toggle: () => setShown(!shown) };
}
