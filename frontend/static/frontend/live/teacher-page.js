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
import { $, startPage } from "./page.js";
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
  client.send({ type: "set_viewport", ...view });
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
mountClassMap(ctx);
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
  { keys: ["q"], label: "Q", what: "Push the chosen question", run: () => quiz.push() },
  { keys: [], label: "M", what: "Measure a length (Esc stops)", run: () => undefined },
  { keys: ["?"], label: "?", what: "Show this help", run: () => undefined },
]);
app.dataset.ready = "true";
client.connect();
