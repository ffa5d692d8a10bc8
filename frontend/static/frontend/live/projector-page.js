// @ts-check
/**
 * Projector mode, /sessions/<id>/project (staff): the class's view for the
 * big screen, with the teacher's drawings, the laser and the live question,
 * the join code in large type and a QR code of the join URL; no roster, no
 * tools. `J` (or the button) hides the code once everyone is in.
 */

import { mountAnnotations } from "./annotations.js";
import { mountMeasure } from "./measure.js";
import { FollowMode } from "./follow.js";
import { $, startPage } from "./page.js";
import { qrCode } from "./qr.js";
import { mountQuizStudent } from "./quiz-student.js";

/** @import { ProjectorPage } from "../../../types/pages.js" */

const ctx = /** @type {ReturnType<typeof startPage<ProjectorPage>>} */ (startPage("projector"));
const { client, page } = ctx;

new FollowMode(ctx, {
  canRoam: false,
  onChange(state) {
    $("live-waiting").hidden = state.hasSlide;
  },
});

const url = new URL(page.join_url);
$("join-host").textContent = url.host + url.pathname.replace(/\/join\/.*$/, "/join");
$("join-qr").append(qrCode(page.join_url, `QR code: opens ${page.join_url}`));
const card = $("join-card");
const toggle = /** @type {HTMLButtonElement} */ ($("join-toggle"));
function toggleCard() {
  card.hidden = !card.hidden;
  toggle.textContent = card.hidden ? "Show the join code" : "Hide the code";
}
toggle.addEventListener("click", toggleCard);
document.addEventListener("keydown", (event) => {
  if (event.key.toLowerCase() === "j" && !event.ctrlKey && !event.metaKey) toggleCard();
});
/** @param {{ students: number }} counts */
function showCount(counts) {
  $("join-count").textContent = `${counts.students} joined`;
}
client.on("snapshot", (snapshot) => {
  showCount(snapshot.counts);
  $("live-ended").hidden = snapshot.session.state !== "ended";
});
client.on("presence", (event) => showCount(event.counts));
client.on("session_state", (event) => {
  $("live-ended").hidden = event.state !== "ended";
});

mountAnnotations(ctx);
mountMeasure(ctx);
mountQuizStudent(ctx, { answering: false });
client.connect();
