// @ts-check
/**
 * The teacher console, /sessions/<id>/teach (teachers and assistants): the
 * viewer drives the class (every own pan, zoom and rotation goes out as
 * `set_viewport`; the client coalesces them to animation frames, at most 20
 * a second), and the panels around it run the lecture: agenda, drawing
 * tools and the laser, quizzes, the roster with hands, Q&A and the class map.
 * docs/frontend.md, "Live pages".
 */

import { mountAgenda } from "./agenda.js";
import { mountClassMap } from "./classmap.js";
import { mountDrawingTools } from "./drawing.js";
import { mountMeasure } from "./measure.js";
import { $, button, el, startPage } from "./page.js";
import { mountQuizTeacher } from "./quiz-teacher.js";
import { mountRoster } from "./roster.js";
import { mountShortcuts } from "./shortcuts.js";

/**
 * @import { TeacherPage } from "../../../types/pages.js"
 * @import { SlideInfo } from "../../../types/slide.js"
 */

const ctx = /** @type {ReturnType<typeof startPage<TeacherPage>>} */ (startPage("teacher"));
const { client, viewer, page } = ctx;
const app = $("live-app");

// The teacher's own moves drive the class; views from elsewhere (an
// assistant driving, a reconnect) are shown unless the teacher is moving.
let movedAt = 0;
viewer.onUserMove((view) => {
  movedAt = performance.now();
  // Where the movement ends: the class animates there alongside the teacher
  // and loads that view's tiles first (docs/frontend.md, "The viewer").
  client.send({ type: "set_viewport", ...(viewer.getView({ target: true }) || view) });
});
client.on("snapshot", (snapshot) => {
  const slide = /** @type {SlideInfo | null} */ (/** @type {unknown} */ (snapshot.slide));
  viewer.open(slide, snapshot.viewport);
  $("live-waiting").hidden = Boolean(slide);
  state(snapshot.session.state);
  setLock(snapshot.locked);
  setSpotlight(snapshot.spotlight ? snapshot.spotlight.name : null);
});
client.on("slide_opened", () => {
  $("live-waiting").hidden = true;
});
client.on("viewport", (event) => {
  if (performance.now() - movedAt > 1500) viewer.setView(event.viewport);
});

// Rotation: a quarter turn either way, or back to upright; the class turns too.
const rotation = el("span", "rotation-angle", "0°");
/**
 * @param {number | null} turn degrees to add (clockwise), or null: back to upright
 */
function rotate(turn) {
  const current = viewer.getView();
  if (!current) return;
  const vp = viewer.osd.viewport;
  // OpenSeadragon animates from its own (unnormalised) angle: turn from there.
  const raw = turn === null ? vp.getRotation() - current.rotation : vp.getRotation() + turn;
  const target = (((Math.round(raw) % 360) + 360) % 360);
  vp.setRotation(turn === null && current.rotation > 180 ? raw + 360 : raw);
  movedAt = performance.now();
  client.send({ type: "set_viewport", ...current, rotation: target });
}
const rotateLeft = button("⟲", "tool", () => rotate(-90));
const rotateRight = button("⟳", "tool", () => rotate(90));
const rotateReset = button("", "tool", () => rotate(null));
rotateLeft.setAttribute("aria-label", "Rotate 90° anticlockwise ([)");
rotateLeft.title = "Rotate 90° anticlockwise ([)";
rotateRight.setAttribute("aria-label", "Rotate 90° clockwise (])");
rotateRight.title = "Rotate 90° clockwise (])";
rotateReset.append(rotation);
rotateReset.setAttribute("aria-label", "Rotation: back to upright (0)");
rotateReset.title = "Back to upright (0)";
const rotationTools = el("div", "tool-group rotation-tools");
rotationTools.setAttribute("role", "group");
rotationTools.setAttribute("aria-label", "Rotation");
rotationTools.append(rotateLeft, rotateReset, rotateRight);
viewer.onDraw(() => {
  const view = viewer.getView();
  const text = `${Math.round(view ? view.rotation : 0)}°`;
  if (rotation.textContent !== text) rotation.textContent = text;
});

// Session state: start, end.
const startButton = /** @type {HTMLButtonElement} */ ($("start-button"));
const endButton = /** @type {HTMLButtonElement} */ ($("end-button"));
const stateBadge = $("session-state");
/** @param {"scheduled" | "live" | "ended"} value */
function state(value) {
  stateBadge.textContent = { scheduled: "Not started", live: "Live", ended: "Ended" }[value];
  stateBadge.dataset.state = value;
  startButton.hidden = value !== "scheduled" || page.role !== "teacher";
  endButton.hidden = value !== "live" || page.role !== "teacher";
  $("live-ended").hidden = value !== "ended";
}
client.on("session_state", (event) => state(event.state));
startButton.addEventListener("click", () => client.send({ type: "session_start" }));
endButton.addEventListener("click", () => {
  if (window.confirm("End the session for everyone? Students can no longer follow it.")) {
    client.send({ type: "session_end" });
  }
});

// Lock follow and the spotlight.
const lockButton = /** @type {HTMLButtonElement} */ ($("lock-button"));
let locked = false;
/** @param {boolean} value */
function setLock(value) {
  locked = value;
  lockButton.setAttribute("aria-pressed", String(value));
  lockButton.textContent = value ? "Locked: everyone follows" : "Lock follow";
  lockButton.classList.toggle("primary", value);
}
client.on("lock", (event) => setLock(event.locked));
function toggleLock() {
  client.send({ type: "lock", locked: !locked });
}
lockButton.addEventListener("click", toggleLock);
const spotlightEnd = /** @type {HTMLButtonElement} */ ($("spotlight-end"));
/** @param {string | null} name */
function setSpotlight(name) {
  spotlightEnd.hidden = !name;
  spotlightEnd.textContent = name ? `End spotlight (${name})` : "End spotlight";
}
client.on("spotlight", (event) => setSpotlight(event.spotlight ? event.spotlight.name : null));
function endSpotlight() {
  if (!spotlightEnd.hidden) client.send({ type: "spotlight_end" });
}
spotlightEnd.addEventListener("click", endSpotlight);

// Live counts.
const counts = $("counts");
/** @param {{ students: number, following: number, hands: number }} c */
function showCounts(c) {
  counts.textContent = `${c.students} student${c.students === 1 ? "" : "s"} · ${c.following} following · ${c.hands} hand${c.hands === 1 ? "" : "s"}`;
}
client.on("snapshot", (snapshot) => showCounts(snapshot.counts));
client.on("presence", (event) => showCounts(event.counts));
client.on("roster", (event) => showCounts(event.counts));

const agenda = mountAgenda(ctx, $("agenda"));
const drawing = mountDrawingTools(ctx);
mountMeasure(ctx);
ctx.slot("toolbar").append(rotationTools);
const classMap = mountClassMap(ctx);
const quiz = mountQuizTeacher(ctx, $("quiz-panel"));
mountRoster(ctx, $("roster"), $("qa"));
mountShortcuts($("help-dialog"), $("help-button"), [
  { keys: ["ArrowRight", "n"], label: "→ or N", what: "Next agenda item", run: () => agenda.step(1) },
  { keys: ["ArrowLeft", "p"], label: "← or P", what: "Previous agenda item", run: () => agenda.step(-1) },
  { keys: ["l"], label: "L", what: "Lock or unlock follow", run: toggleLock },
  { keys: ["s"], label: "S", what: "End the spotlight", run: endSpotlight },
  { keys: ["x"], label: "X", what: "Laser pointer on or off", run: () => drawing.toggleLaser() },
  { keys: ["v"], label: "V", what: "Select drawings to edit or delete", run: () => drawing.choose("select") },
  { keys: ["Delete", "Backspace"], label: "Delete", what: "Delete the selected drawing", run: () => drawing.deleteSelected() },
  { keys: ["Escape"], label: "Esc", what: "Stop drawing", run: () => drawing.choose(null) },
  { keys: ["]"], label: "]", what: "Rotate 90° clockwise", run: () => rotateRight.click() },
  { keys: ["["], label: "[", what: "Rotate 90° anticlockwise", run: () => rotateLeft.click() },
  { keys: ["0"], label: "0", what: "Rotation back to upright", run: () => rotate(null) },
  { keys: ["c"], label: "C", what: "Class map on or off", run: () => classMap.toggle() },
  { keys: ["q"], label: "Q", what: "Push the chosen question", run: () => quiz.push() },
  { keys: [], label: "M", what: "Measure a length (Esc stops)", run: () => undefined },
  { keys: ["?"], label: "?", what: "Show this help", run: () => undefined },
]);
app.dataset.ready = "true";
client.connect();
