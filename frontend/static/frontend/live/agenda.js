// @ts-check
/**
 * The teacher's agenda: the session's items with their saved views
 * (`open_item`), previous and next, and every slide of the course
 * (`open_slide`). The current item and slide come from the snapshot and
 * `slide_opened`, so two consoles (a teacher and an assistant) stay in step.
 */

import { button, el } from "./page.js";

/**
 * @import { LiveContext } from "../../../types/live.js"
 * @import { AgendaEntry } from "../../../types/protocol.js"
 * @import { TeacherPage } from "../../../types/pages.js"
 */

/**
 * @param {LiveContext<TeacherPage>} ctx
 * @param {HTMLElement} section
 */
export function mountAgenda(ctx, section) {
  const { client, page } = ctx;
  /** @type {AgendaEntry[]} */
  let items = [];
  /** @type {number | null} */
  let current = null;
  /** @type {number | null} */
  let slideId = null;

  const heading = el("h2", "side-heading", "Agenda");
  heading.id = "agenda-heading";
  const prev = button("← Previous", "button small", () => step(-1));
  const next = button("Next →", "button small primary", () => step(1));
  prev.title = "Previous agenda item (←)";
  next.title = "Next agenda item (→)";
  const nav = el("div", "agenda-nav");
  nav.append(prev, next);
  const list = el("ol", "agenda-list");
  // The course's slides fold away while the session has an agenda (room for
  // the class and the questions on a laptop); open when it has none.
  const slidesBox = /** @type {HTMLDetailsElement} */ (el("details", "slide-picker-box"));
  const slidesHeading = el("summary", "side-subheading", `All slides of the course (${page.slides.length})`);
  const slides = el("ul", "slide-picker");
  for (const slide of page.slides) {
    const b = button("", "slide-pick", () => client.send({ type: "open_slide", slide_id: slide.id }));
    const img = el("img");
    img.src = slide.thumbnail_url;
    img.alt = "";
    img.loading = "lazy";
    b.append(img, el("span", "slide-pick-title", slide.title));
    if (slide.subtitle) b.append(el("span", "slide-pick-sub", slide.subtitle));
    b.dataset.slide = String(slide.id);
    const li = el("li");
    li.append(b);
    slides.append(li);
  }
  slidesBox.append(slidesHeading, slides);
  section.replaceChildren(heading, nav, list, slidesBox);

  client.on("snapshot", (snapshot) => {
    items = snapshot.agenda;
    current = snapshot.agenda_index;
    slideId = snapshot.slide ? Number(snapshot.slide.id) : null;
    render();
  });
  client.on("slide_opened", (event) => {
    current = event.agenda_index;
    slideId = Number(event.slide.id);
    render();
    const item = items.find((i) => i.index === current);
    ctx.announce(item ? `Agenda item ${item.index + 1}: ${item.title}` : `Slide opened: ${String(event.slide.title)}`);
  });

  function render() {
    list.replaceChildren(
      ...items.map((item) => {
        const li = el("li", "agenda-item");
        const b = button("", "agenda-open", () => client.send({ type: "open_item", index: item.index }));
        b.append(el("span", "agenda-number", String(item.index + 1)), el("span", "agenda-title", item.title));
        if (item.index === current) {
          li.classList.add("current");
          b.setAttribute("aria-current", "step");
        }
        li.append(b);
        if (item.notes) li.append(el("p", "agenda-notes", item.notes));
        return li;
      }),
    );
    if (!items.length) list.append(el("li", "muted", "This session has no agenda: open slides below."));
    if (!items.length) slidesBox.open = true;
    prev.disabled = !items.length || current === null || current <= 0;
    next.disabled = !items.length || (current !== null && current >= items.length - 1);
    for (const b of slides.querySelectorAll("button")) {
      const isOpen = Number(/** @type {HTMLElement} */ (b).dataset.slide) === slideId;
      b.classList.toggle("current", isOpen);
      if (isOpen) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
  }

  /** @param {number} delta */
  function step(delta) {
    if (!items.length) return;
    const index = current === null ? (delta > 0 ? 0 : items.length - 1) : current + delta;
    if (index < 0 || index >= items.length) return;
    client.send({ type: "open_item", index });
  }

  return { step };
}
