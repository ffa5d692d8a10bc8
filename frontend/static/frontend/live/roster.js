// @ts-check
/**
 * Who is in the class (the staff's `roster`: connected, following or
 * roaming, raised hands) with a spotlight button per student, and the Q&A
 * list of the students' questions (`question_asked`), newest first.
 */

import { button, el } from "./page.js";

/**
 * @import { LiveContext } from "../../../types/live.js"
 * @import { RosterEntry } from "../../../types/protocol.js"
 */

/**
 * @param {LiveContext} ctx
 * @param {HTMLElement} section the roster's place
 * @param {HTMLElement} qaSection the questions' place
 */
export function mountRoster(ctx, section, qaSection) {
  const { client } = ctx;
  const heading = el("h2", "side-heading", "Class");
  heading.id = "class-heading";
  const summary = el("p", "roster-summary muted", "");
  const list = el("ul", "roster-list");
  list.setAttribute("aria-label", "Students");
  section.replaceChildren(heading, summary, list);

  /** @type {RosterEntry[]} */
  let roster = [];
  /** @type {string | null} */
  let spotlight = null;

  client.on("snapshot", (snapshot) => {
    roster = snapshot.roster || [];
    spotlight = snapshot.spotlight ? snapshot.spotlight.participant : null;
    render();
  });
  client.on("roster", (event) => {
    roster = event.roster;
    render();
  });
  client.on("spotlight", (event) => {
    spotlight = event.spotlight ? event.spotlight.participant : null;
    render();
  });
  client.on("hand", (event) => {
    const entry = roster.find((r) => r.participant === event.participant);
    if (entry) entry.hand = event.raised;
    if (event.raised) ctx.announce(`${event.name} raised a hand.`);
    render();
  });

  function render() {
    const students = roster.filter((r) => r.role === "student" || r.role === "guest");
    const hands = students.filter((r) => r.hand).length;
    const roaming = students.filter((r) => !r.following).length;
    summary.textContent = students.length
      ? `${students.length} connected · ${roaming} roaming · ${hands} hand${hands === 1 ? "" : "s"} up`
      : "No students connected yet. They join with the code on the projector.";
    students.sort((a, b) => Number(b.hand) - Number(a.hand) || a.name.localeCompare(b.name));
    list.replaceChildren(
      ...students.map((entry) => {
        const li = el("li", "roster-entry");
        li.dataset.participant = entry.participant;
        li.dataset.following = String(entry.following);
        if (entry.hand) li.classList.add("hand");
        const name = el("span", "roster-name", entry.name);
        const badges = el("span", "roster-badges");
        if (entry.hand) badges.append(el("span", "badge badge-hand", "Hand up"));
        badges.append(
          el("span", `badge ${entry.following ? "badge-following" : "badge-roaming"}`, entry.following ? "Following" : "Roaming"),
        );
        if (entry.role === "guest") badges.append(el("span", "badge", "Guest"));
        const on = spotlight === entry.participant;
        const spot = button(on ? "In spotlight" : "Spotlight", "button small", () =>
          client.send(on ? { type: "spotlight_end" } : { type: "spotlight", participant: entry.participant }),
        );
        spot.setAttribute("aria-pressed", String(on));
        spot.title = on ? "End the spotlight" : `Show the class ${entry.name}'s view`;
        spot.setAttribute("aria-label", `${on ? "End spotlight on" : "Spotlight"} ${entry.name}`);
        li.append(name, badges, spot);
        return li;
      }),
    );
  }

  // Q&A: the students' questions, newest first; answered ones fade.
  const qaHeading = el("h2", "side-heading", "Questions from students");
  qaHeading.id = "qa-heading";
  const qaList = el("ul", "qa-list");
  const qaEmpty = el("p", "muted", "None yet. Students ask from the bar under their slide.");
  qaSection.replaceChildren(qaHeading, qaEmpty, qaList);
  client.on("question_asked", (event) => {
    qaEmpty.hidden = true;
    const li = el("li", "qa-item");
    const done = button("Answered", "button small", () => {
      li.classList.toggle("answered");
      done.setAttribute("aria-pressed", String(li.classList.contains("answered")));
    });
    done.setAttribute("aria-pressed", "false");
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    li.append(el("p", "qa-text", event.text), el("p", "qa-meta muted", `${event.name} · ${time}`), done);
    qaList.prepend(li);
    ctx.announce(`${event.name} asks: ${event.text}`);
  });
}
