// @ts-check
/**
 * The class's view, /sessions/<id>/ (frontend/templates/frontend/live/student.html):
 * follows the teacher, roams and snaps back, shows annotations, the pointer
 * and questions; raise a hand, ask a question. docs/frontend.md, "Live pages".
 */

import { mountAnnotations } from "./annotations.js";
import { FollowMode } from "./follow.js";
import { mountMeasure } from "./measure.js";
import { $, startPage } from "./page.js";
import { mountQuizStudent } from "./quiz-student.js";

/** @import { StudentPage } from "../../../types/pages.js" */

const ctx = /** @type {ReturnType<typeof startPage<StudentPage>>} */ (startPage("student"));
const { client } = ctx;
const app = $("live-app");

// The slide's descriptor or tiles could not be loaded (still preparing, gone,
// or the tile token refused): say so and what to do, until a slide opens.
let slideFailed = false;
ctx.viewer.osd.addHandler("open-failed", () => {
  slideFailed = true;
  $("live-waiting-title").textContent = "The slide could not be loaded";
  $("live-waiting-text").textContent =
    "It may still be preparing, or the connection dropped. Reload the page in a moment; " +
    "if it stays like this, tell the teacher.";
  $("live-waiting").hidden = false;
  ctx.announce("The slide could not be loaded. Reload the page in a moment.");
});
ctx.viewer.onSlide((slide) => {
  if (!slide || !slideFailed) return;
  slideFailed = false;
  $("live-waiting-title").textContent = "Waiting for the teacher";
  $("live-waiting").hidden = true;
});

const chip = $("follow-chip");
const back = /** @type {HTMLButtonElement} */ ($("follow-back"));
const follow = new FollowMode(ctx, {
  canRoam: true,
  onChange(state) {
    app.dataset.follow = state.following ? "following" : "roaming";
    app.dataset.locked = String(state.locked);
    $("live-waiting").hidden = state.hasSlide && !slideFailed;
    back.hidden = state.following;
    const spot = state.spotlight;
    if (state.spotlightIsMe) {
      chip.textContent = "Spotlight: the class sees your view";
    } else if (!state.following) {
      chip.textContent = "Roaming on your own";
    } else if (spot) {
      chip.textContent = `Following ${spot.name}'s view (spotlight)`;
    } else if (state.locked) {
      chip.textContent = "🔒 Following the teacher (locked)";
    } else {
      chip.textContent = "Following the teacher";
    }
  },
});
back.addEventListener("click", () => follow.back());
document.addEventListener("keydown", (event) => {
  if (event.key.toLowerCase() !== "b" || isTyping(event)) return;
  follow.back();
});

// Raise a hand: the server tells staff; a reconnect keeps it (the roster).
const hand = /** @type {HTMLButtonElement} */ ($("hand-button"));
let raised = false;
/** @param {boolean} up */
function setHand(up) {
  raised = up;
  hand.setAttribute("aria-pressed", String(up));
  hand.textContent = up ? "Lower your hand" : "Raise hand";
  hand.classList.toggle("primary", up);
}
hand.addEventListener("click", () => {
  if (client.send({ type: "hand", raised: !raised })) {
    setHand(!raised);
    ctx.announce(raised ? "Your hand is raised." : "Your hand is lowered.");
  } else {
    ctx.toast("Not connected: try again in a moment.", "error");
  }
});
client.on("snapshot", () => setHand(false));

// Ask the teacher a question.
const askForm = /** @type {HTMLFormElement} */ ($("ask-form"));
const askText = /** @type {HTMLInputElement} */ ($("ask-text"));
askForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = askText.value.trim();
  if (!text) {
    ctx.toast("Type your question first.", "error");
    askText.focus();
    return;
  }
  if (client.send({ type: "ask", text })) {
    askText.value = "";
    ctx.toast("Your question was sent to the teacher.");
  } else {
    ctx.toast("Not connected: your question was not sent. Try again in a moment.", "error");
  }
});

client.on("snapshot", (snapshot) => {
  $("live-ended").hidden = snapshot.session.state !== "ended";
  $("live-waiting-text").textContent =
    snapshot.session.state === "scheduled"
      ? "The session has not started yet. It starts here when the teacher begins."
      : "The slide appears here when the teacher opens one.";
});
client.on("session_state", (event) => {
  $("live-ended").hidden = event.state !== "ended";
  if (event.state === "live") ctx.announce("The session has started.");
  if (event.state === "ended") ctx.announce("The session has ended.");
});

mountAnnotations(ctx);
mountMeasure(ctx);
mountQuizStudent(ctx);
client.connect();

/** @param {KeyboardEvent} event */
function isTyping(event) {
  const target = /** @type {HTMLElement | null} */ (event.target);
  return Boolean(
    target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)),
  );
}
