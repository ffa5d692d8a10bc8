// @ts-check
/**
 * The teacher's quiz panel (docs/quizzes.md): pick a question from the
 * course's bank, push it with a time limit, watch the answers come in (bars
 * for choices, a histogram for numbers, the clicks on the slide for locate
 * questions, the grouped words for text), then close, reveal (with or
 * without the leaderboard) and take it off the screens. The state comes back
 * with the snapshot after a reload.
 */

import { BarChart } from "./charts.js";
import { Overlay, ellipsePoints, svg } from "./overlay.js";
import { button, el } from "./page.js";

/**
 * @import { LiveContext } from "../../../types/live.js"
 * @import { TeacherPage } from "../../../types/pages.js"
 * @import { ActiveQuestion, QuizAggregateEvent, RegionsKey } from "../../../types/protocol.js"
 */

/** @typedef {QuizAggregateEvent["aggregate"]} Aggregate */

const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 300];

/**
 * @param {LiveContext<TeacherPage>} ctx
 * @param {HTMLElement} section
 */
export function mountQuizTeacher(ctx, section) {
  const { client, page, viewer } = ctx;
  const heading = el("h2", "side-heading", "Questions");
  heading.id = "quiz-heading";
  const picker = el("select", "quiz-picker");
  picker.setAttribute("aria-label", "Question to push");
  const usable = page.questions.filter((q) => q.ready);
  for (const q of page.questions) {
    const option = el("option", undefined, `${q.type_label}: ${q.prompt}`);
    option.value = String(q.id);
    option.disabled = !q.ready;
    if (!q.ready) option.textContent += ` (not ready: ${q.problem})`;
    picker.append(option);
  }
  const duration = el("select", "quiz-duration");
  duration.setAttribute("aria-label", "Time limit");
  for (const seconds of DURATIONS) {
    const option = el("option", undefined, seconds < 60 ? `${seconds} s` : `${seconds / 60} min`);
    option.value = String(seconds);
    duration.append(option);
  }
  const syncDuration = () => {
    const q = page.questions.find((item) => String(item.id) === picker.value);
    if (q) duration.value = String(DURATIONS.includes(q.time_limit) ? q.time_limit : 60);
  };
  picker.addEventListener("change", syncDuration);
  syncDuration();
  const pushButton = button("Push to the class", "button primary small", () => push());
  pushButton.title = "Push the chosen question (Q)";
  const form = el("div", "quiz-push");
  form.append(picker, duration, pushButton);
  if (!usable.length) form.append(el("p", "muted", "The course has no questions ready to push."));
  const live = el("div", "quiz-live");
  section.replaceChildren(heading, form, live);

  /** @type {ActiveQuestion | null} */
  let current = null;
  /** @type {Aggregate | null} */
  let aggregate = null;
  let students = 0;
  let timer = 0;
  const chart = new BarChart("Answers so far");
  const clicks = new Overlay(viewer, "overlay-clicks");

  function push() {
    const id = Number(picker.value);
    if (!id) {
      ctx.toast("Choose a question first.", "error");
      return;
    }
    if (client.send({ type: "quiz_push", question_id: id, time_limit: Number(duration.value), show_leaderboard: true })) {
      ctx.announce("Question pushed to the class.");
    }
  }

  client.on("snapshot", (snapshot) => {
    current = snapshot.question;
    aggregate = current ? current.aggregate : null;
    students = snapshot.counts.students;
    render();
  });
  client.on("presence", (event) => {
    students = event.counts.students;
    renderCount();
  });
  client.on("quiz_question", (event) => {
    current = {
      live_question_id: event.live_question_id,
      state: "open",
      question: event.question,
      opened_at: event.opened_at,
      deadline_at: event.deadline_at,
      remaining_s: 0,
      allow_change: event.allow_change,
      your_answer: null,
      reveal: null,
      your_result: null,
      spec: null,
      aggregate: null,
    };
    aggregate = null;
    render();
  });
  client.on("quiz_aggregate", (event) => {
    if (!current || event.live_question_id !== current.live_question_id) return;
    aggregate = event.aggregate;
    renderResults();
  });
  client.on("quiz_closed", (event) => {
    if (!current || event.live_question_id !== current.live_question_id) return;
    current.state = "closed";
    render();
  });
  client.on("quiz_reveal", (event) => {
    if (!current || event.live_question_id !== current.live_question_id) return;
    current.state = "revealed";
    current.reveal = event;
    if (event.distribution) aggregate = event.distribution;
    render();
  });
  client.on("quiz_dismissed", (event) => {
    if (!current || event.live_question_id !== current.live_question_id) return;
    current = null;
    aggregate = null;
    render();
  });

  const status = el("p", "quiz-live-status");
  const countLine = el("p", "quiz-count");
  countLine.setAttribute("aria-live", "polite");
  const results = el("div", "quiz-results");
  const actions = el("div", "quiz-actions");

  function render() {
    window.clearInterval(timer);
    if (!current) {
      live.replaceChildren();
      clicks.redraw();
      return;
    }
    const q = current;
    const prompt = el("p", "quiz-live-prompt", q.question.prompt);
    actions.replaceChildren();
    if (q.state === "open") {
      actions.append(button("Close now", "button small", () => client.send({ type: "quiz_close", live_question_id: q.live_question_id })));
      const tick = () => {
        const left = Math.max(0, Math.round((Date.parse(q.deadline_at) - Date.now()) / 1000));
        status.textContent = `Open: ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} left`;
      };
      tick();
      timer = window.setInterval(tick, 500);
    } else {
      status.textContent = q.state === "closed" ? "Closed: reveal the answer when ready." : "Answer revealed to the class.";
    }
    if (q.state !== "revealed") {
      actions.append(button("Reveal", "button small primary", () => client.send({ type: "quiz_reveal", live_question_id: q.live_question_id, show_leaderboard: false })));
      actions.append(button("Reveal with leaderboard", "button small", () => client.send({ type: "quiz_reveal", live_question_id: q.live_question_id, show_leaderboard: true })));
    }
    actions.append(button("Take off screens", "button small", () => client.send({ type: "quiz_dismiss", live_question_id: q.live_question_id })));
    live.replaceChildren(prompt, status, countLine, results, actions);
    if (q.reveal && q.reveal.leaderboard && q.reveal.leaderboard.length) {
      const board = el("ol", "leaderboard");
      for (const row of q.reveal.leaderboard.slice(0, 10)) board.append(el("li", undefined, `${row.name}: ${Math.round(row.score)}`));
      live.append(el("p", "quiz-label", "Leaderboard"), board);
    }
    renderResults();
  }

  function renderCount() {
    const answered = aggregate ? aggregate.answered : 0;
    countLine.textContent = `${answered} of ${students} student${students === 1 ? "" : "s"} answered`;
  }

  function renderResults() {
    renderCount();
    clicks.redraw();
    if (!current) {
      results.replaceChildren();
      return;
    }
    const type = current.question.type;
    // Before the first answer: the choices at zero, so the teacher sees what is coming.
    const a =
      aggregate ||
      (type === "single" || type === "multiple" || type === "truefalse"
        ? { type, answered: 0, correct: null, counts: {} }
        : null);
    if (!a) {
      results.replaceChildren(el("p", "muted", "Answers appear here as they come in."));
      return;
    }
    const reveal = current.reveal;
    const correct = reveal && "choices" in reveal.correct_answer ? reveal.correct_answer.choices : [];
    if (a.type === "single" || a.type === "multiple" || a.type === "truefalse") {
      const options = current.question.options || [];
      const ids = a.type === "truefalse" ? ["true", "false"] : options.map((o) => o.id);
      const labels = a.type === "truefalse" ? ["True", "False"] : options.map((o) => o.text);
      chart.update({
        title: "Answers",
        labels,
        values: ids.map((id) => a.counts[id] || 0),
        highlight: ids.map((id) => correct.includes(id)),
      });
      results.replaceChildren(chart.element);
    } else if (a.type === "numeric") {
      chart.update({
        title: "Answers",
        labels: a.histogram.map((b) => `${b.lo ?? "…"} – ${b.hi ?? "…"}`),
        values: a.histogram.map((b) => b.count),
      });
      results.replaceChildren(chart.element);
      if (a.mean !== null) results.append(el("p", "muted", `Mean ${a.mean.toFixed(2)}`));
    } else if (a.type === "text" || a.type === "open") {
      const list = el("ul", "word-list");
      for (const group of (a.groups || []).slice(0, 30)) {
        const li = el("li", group.correct ? "right" : "", `${group.text} × ${group.count}${group.correct ? " ✓" : ""}`);
        list.append(li);
      }
      results.replaceChildren(list);
    } else if (a.type === "locate") {
      const hit = a.hit_rate === null ? "" : ` · ${Math.round(a.hit_rate * 100)} % in the target`;
      results.replaceChildren(el("p", "muted", `Clicks are shown on the slide${hit}.`));
    }
    if (a.correct !== null && a.answered) {
      results.append(el("p", "quiz-correct-share", `${Math.round((100 * a.correct) / a.answered)} % correct`));
    }
  }

  // Locate questions: the class's clicks as a heatmap on the slide, and the
  // target regions once revealed (or from the snapshot's spec).
  clicks.paint(() => {
    const slide = viewer.slide;
    if (!current || !aggregate || aggregate.type !== "locate" || !slide) {
      clicks.root.replaceChildren();
      return;
    }
    const map = aggregate.heatmap;
    const peak = Math.max(1, ...map.cells.map((c) => c[2]));
    const nodes = map.cells.map(([i, j, n]) => {
      const x0 = i * map.cell_width;
      const y0 = j * map.cell_height;
      const corners = [[x0, y0], [x0 + map.cell_width, y0], [x0 + map.cell_width, y0 + map.cell_height], [x0, y0 + map.cell_height]];
      const cell = svg("path", { d: clicks.path(corners, true), class: "heat-cell" });
      cell.setAttribute("fill-opacity", (0.25 + (0.65 * n) / peak).toFixed(2));
      return cell;
    });
    const key = current.reveal ? current.reveal.correct_answer : null;
    if (key && "regions" in key) nodes.push(...regions(/** @type {RegionsKey} */ (key)));
    clicks.root.replaceChildren(...nodes);
  });

  /** @param {RegionsKey} key */
  function regions(key) {
    return key.regions.map((region) => {
      /** @type {number[][]} */
      let pts;
      if (region.kind === "polygon") pts = region.points;
      else if (region.kind === "rect") {
        pts = [[region.x, region.y], [region.x + region.width, region.y], [region.x + region.width, region.y + region.height], [region.x, region.y + region.height]];
      } else {
        pts = ellipsePoints([region.cx - region.rx, region.cy - region.ry], [region.cx + region.rx, region.cy + region.ry]);
      }
      return svg("path", { d: clicks.path(pts, true), class: "target-region" });
    });
  }

  return { push };
}
