// @ts-check
/**
 * A live question on the class's view (docs/quizzes.md): a card over the
 * slide with the countdown, a form for each question type (a locate question
 * is answered by clicking on the slide), the answer's state until the server
 * acknowledges it (the client resends it through drops), and after the
 * reveal the right answer and the student's own result.
 */

import { Overlay, svg } from "./overlay.js";
import { button, el } from "./page.js";

/**
 * @import { LiveContext, ViewerTool } from "../../../types/live.js"
 * @import { ActiveQuestion, BoolAnswer, ChoiceAnswer, MultipleAnswer, NumericAnswer, PointAnswer,
 *   PublicQuestion, QuizResultEvent, QuizRevealEvent, TextAnswer } from "../../../types/protocol.js"
 */

/** @typedef {ChoiceAnswer | MultipleAnswer | BoolAnswer | NumericAnswer | TextAnswer | PointAnswer} Answer */

/** What each refusal means for a student, and what to do. */
const REFUSALS = /** @type {Record<string, string>} */ ({
  closed: "Time is up: this question no longer takes answers.",
  not_found: "This question is no longer open.",
  invalid: "That answer is not valid: check it and send it again.",
  out_of_range: "That answer is out of range: check it and send it again.",
  forbidden: "Only students answer questions.",
  already_answered: "You already answered, and this question does not allow changes.",
  superseded: "",
  closed_client: "Not sent: the page lost its connection. Reload the page.",
});

/**
 * @param {LiveContext} ctx
 * @param {{ answering?: boolean }} [options] the projector shows questions without answering
 */
export function mountQuizStudent(ctx, options = {}) {
  const answering = options.answering !== false;
  const { client, viewer } = ctx;
  const card = el("section", "quiz-card");
  card.hidden = true;
  card.setAttribute("aria-labelledby", "quiz-prompt");
  ctx.slot("overlay").append(card);
  const marker = new Overlay(viewer, "overlay-locate");

  /** @type {ActiveQuestion | null} */
  let current = null;
  /** @type {[number, number] | null} */
  let point = null;
  let clockOffset = 0; // server time minus ours, ms
  let timer = 0;
  let collapsed = false;

  /** @type {ViewerTool} */
  const locateTool = {
    cursor: "crosshair",
    click(p) {
      point = p;
      marker.redraw();
      render();
    },
  };
  marker.paint(() => {
    if (!point || !current || current.question.type !== "locate") {
      marker.root.replaceChildren();
      return;
    }
    const [x, y] = marker.screen(point[0], point[1]);
    marker.root.replaceChildren(
      svg("circle", { cx: x, cy: y, r: 11, class: "locate-ring" }),
      svg("circle", { cx: x, cy: y, r: 3, class: "locate-dot" }),
    );
  });

  client.on("snapshot", (snapshot) => {
    const q = snapshot.question;
    current = q;
    point = null;
    if (q) {
      clockOffset = Date.parse(q.deadline_at) - q.remaining_s * 1000 - Date.now();
      const own = q.your_answer ? q.your_answer.answer : null;
      if (own && "x" in own) point = [own.x, own.y];
      state.sent = own ? "saved" : "none";
      state.answer = own;
    }
    render();
  });
  client.on("quiz_question", (event) => {
    clockOffset = Date.parse(event.server_time) - Date.now();
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
    point = null;
    collapsed = false;
    state.sent = "none";
    state.answer = null;
    state.error = "";
    ctx.announce(`New question: ${event.question.prompt}`);
    render();
  });
  client.on("quiz_closed", (event) => {
    if (!current || current.live_question_id !== event.live_question_id) return;
    current.state = "closed";
    ctx.announce("Time is up.");
    render();
  });
  client.on("quiz_reveal", (event) => {
    if (!current || current.live_question_id !== event.live_question_id) return;
    current.state = "revealed";
    current.reveal = event;
    render();
  });
  client.on("quiz_result", (event) => {
    if (!current || current.live_question_id !== event.live_question_id) return;
    current.your_result = event;
    ctx.announce(resultWords(event));
    render();
  });
  client.on("quiz_dismissed", (event) => {
    if (!current || current.live_question_id !== event.live_question_id) return;
    current = null;
    render();
  });

  /** @type {{ sent: "none" | "sending" | "saved", answer: Answer | null, error: string }} */
  const state = { sent: "none", answer: null, error: "" };

  /** @param {Answer} answer */
  async function submit(answer) {
    if (!current) return;
    const id = current.live_question_id;
    state.sent = "sending";
    state.answer = answer;
    state.error = "";
    render();
    try {
      await client.answer(id, /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (answer)));
      if (current && current.live_question_id === id) {
        state.sent = "saved";
        ctx.announce("Your answer is saved.");
      }
    } catch (error) {
      const code = /** @type {{ code?: string }} */ (error).code || "";
      if (code === "superseded") return;
      state.sent = "none";
      state.error = REFUSALS[code] || `Your answer was refused (${code}). Try again.`;
    }
    render();
  }

  function render() {
    window.clearInterval(timer);
    const q = current;
    card.hidden = !q;
    const locating = Boolean(answering && q && q.question.type === "locate" && q.state === "open");
    viewer.setTool(locating ? locateTool : viewer.tool === locateTool ? null : viewer.tool);
    marker.redraw();
    if (!q) {
      card.replaceChildren();
      return;
    }
    card.dataset.state = q.state;
    card.classList.toggle("collapsed", collapsed);
    const head = el("div", "quiz-head");
    const countdown = el("span", "quiz-countdown");
    countdown.setAttribute("role", "timer");
    const toggle = button(collapsed ? "Show question" : "Hide", "button small quiz-toggle", () => {
      collapsed = !collapsed;
      render();
    });
    toggle.setAttribute("aria-expanded", String(!collapsed));
    head.append(el("span", "quiz-label", "Question"), countdown, toggle);
    const prompt = el("p", "quiz-prompt", q.question.prompt);
    prompt.id = "quiz-prompt";
    card.replaceChildren(head, prompt);
    if (collapsed) return;
    if (q.state === "open") {
      card.append(answering ? form(q.question, q.allow_change) : optionList(q.question));
      const tick = () => {
        const left = Math.max(0, Math.round((Date.parse(q.deadline_at) - Date.now() - clockOffset) / 1000));
        countdown.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
        countdown.classList.toggle("urgent", left <= 5);
      };
      tick();
      timer = window.setInterval(tick, 500);
    } else {
      countdown.textContent = q.state === "closed" ? "Time is up" : "Answer revealed";
    }
    const status = el("p", "quiz-status");
    status.setAttribute("aria-live", "polite");
    if (state.error) {
      status.textContent = state.error;
      status.classList.add("error");
    } else if (state.sent === "sending") {
      status.textContent = "Sending your answer…";
    } else if (state.sent === "saved") {
      status.textContent =
        q.state === "open" && q.allow_change
          ? "✓ Your answer is saved. You can change it until the time is up."
          : "✓ Your answer is saved.";
      status.classList.add("saved");
    } else if (q.state !== "open" && answering) {
      status.textContent = "You did not answer this question.";
    }
    card.append(status);
    if (q.state === "revealed" && q.reveal) card.append(revealed(q.question, q.reveal, q.your_result));
  }

  /**
   * @param {PublicQuestion} question
   * @param {boolean} allowChange
   */
  function form(question, allowChange) {
    const f = el("form", "quiz-form");
    const locked = state.sent === "saved" && !allowChange;
    const submitButton = el("button", "button primary", state.sent === "saved" ? "Change answer" : "Send answer");
    submitButton.type = "submit";
    submitButton.disabled = locked || state.sent === "sending";
    const previous = state.answer;
    /** @type {() => Answer | string} */
    let read = () => "Choose an answer first.";
    switch (question.type) {
      case "single":
      case "multiple": {
        const multiple = question.type === "multiple";
        const chosen = new Set(
          previous && "choices" in previous ? previous.choices : previous && "choice" in previous ? [previous.choice] : [],
        );
        const list = el("div", "quiz-options");
        list.setAttribute("role", multiple ? "group" : "radiogroup");
        for (const option of question.options || []) {
          const label = el("label", "quiz-option");
          const input = el("input");
          input.type = multiple ? "checkbox" : "radio";
          input.name = "choice";
          input.value = option.id;
          input.checked = chosen.has(option.id);
          input.disabled = locked;
          label.append(input, el("span", undefined, option.text));
          list.append(label);
        }
        f.append(list);
        read = () => {
          const picked = [...f.querySelectorAll("input:checked")].map((i) => /** @type {HTMLInputElement} */ (i).value);
          if (!picked.length) return "Choose an answer first.";
          if (!multiple) return { choice: picked[0] };
          return /** @type {MultipleAnswer} */ ({ choices: picked });
        };
        break;
      }
      case "truefalse": {
        const list = el("div", "quiz-options two");
        list.setAttribute("role", "radiogroup");
        for (const [value, text] of /** @type {const} */ ([["true", "True"], ["false", "False"]])) {
          const label = el("label", "quiz-option");
          const input = el("input");
          input.type = "radio";
          input.name = "value";
          input.value = value;
          input.checked = Boolean(previous && "value" in previous && String(previous.value) === value);
          input.disabled = locked;
          label.append(input, el("span", undefined, text));
          list.append(label);
        }
        f.append(list);
        read = () => {
          const picked = /** @type {HTMLInputElement | null} */ (f.querySelector("input:checked"));
          return picked ? { value: picked.value === "true" } : "Choose True or False first.";
        };
        break;
      }
      case "numeric": {
        const label = el("label", "quiz-field", "Your answer");
        const input = el("input");
        input.type = "text";
        input.inputMode = "decimal";
        input.name = "value";
        input.autocomplete = "off";
        input.disabled = locked;
        if (previous && "value" in previous && typeof previous.value === "number") input.value = String(previous.value);
        label.append(input);
        if (question.unit) label.append(el("span", "unit", question.unit));
        f.append(label);
        read = () => {
          const text = input.value.trim().replace(",", ".");
          const value = Number(text);
          if (!text) return "Type a number first.";
          if (!Number.isFinite(value)) return `"${input.value}" is not a number: use digits, e.g. 12.5.`;
          return { value };
        };
        break;
      }
      case "text":
      case "open": {
        const label = el("label", "quiz-field", "Your answer");
        const input = el("textarea");
        input.name = "text";
        input.maxLength = 500;
        input.rows = question.type === "open" ? 3 : 1;
        input.disabled = locked;
        if (previous && "text" in previous) input.value = previous.text;
        label.append(input);
        f.append(label);
        read = () => (input.value.trim() ? { text: input.value.trim() } : "Type your answer first.");
        break;
      }
      case "locate": {
        f.append(
          el(
            "p",
            "quiz-hint",
            point ? "Your mark is on the slide. Click elsewhere to move it." : "Click on the slide where you see it.",
          ),
        );
        read = () => (point ? { x: point[0], y: point[1] } : "Click on the slide first.");
        break;
      }
    }
    f.append(submitButton);
    f.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = read();
      if (typeof answer === "string") {
        state.error = answer;
        render();
        return;
      }
      submit(answer);
    });
    return f;
  }
}

/**
 * The options as the room sees them on the projector.
 * @param {PublicQuestion} question
 */
function optionList(question) {
  const list = el("ol", "quiz-option-list");
  for (const option of question.options || []) list.append(el("li", undefined, option.text));
  if (question.type === "locate") list.append(el("li", "quiz-hint", "Answer by clicking on the slide on your own screen."));
  return list;
}

/** @param {QuizResultEvent} result */
function resultWords(result) {
  if (result.correct === null) return "Thank you: this question has no single right answer.";
  const points = result.score ? ` +${Math.round(result.score)} points.` : "";
  return result.correct ? `Correct!${points}` : "Not quite.";
}

/**
 * The right answer, the explanation and the student's own result.
 * @param {PublicQuestion} question
 * @param {QuizRevealEvent} reveal
 * @param {QuizResultEvent | null} result
 */
function revealed(question, reveal, result) {
  const box = el("div", "quiz-reveal");
  if (result) {
    const verdict = el("p", `quiz-result ${result.correct ? "right" : result.correct === false ? "wrong" : ""}`);
    verdict.textContent = (result.correct ? "✓ " : result.correct === false ? "✗ " : "") + resultWords(result);
    if (result.distance_um !== null && result.correct === false) {
      verdict.textContent += ` Your mark was ${Math.round(result.distance_um)} µm from the target.`;
    }
    box.append(verdict);
  }
  const key = reveal.correct_answer;
  let words = "";
  if ("choices" in key) {
    const names = new Map((question.options || []).map((o) => [o.id, o.text]));
    words = key.choices.map((c) => names.get(c) || c).join(", ");
  } else if ("accepted" in key) {
    words = key.accepted.join(" / ");
  } else if ("tolerance" in key) {
    words = `${key.value}${key.unit ? " " + key.unit : ""} (± ${key.tolerance})`;
  } else if ("value" in key) {
    words = key.value ? "True" : "False";
  } else if ("regions" in key) {
    words = "the region the teacher outlined on the slide";
  }
  if (words) box.append(el("p", "quiz-key", `Answer: ${words}`));
  if (reveal.explanation) box.append(el("p", "quiz-explanation", reveal.explanation));
  if (reveal.leaderboard && reveal.leaderboard.length) {
    const list = el("ol", "leaderboard");
    for (const row of reveal.leaderboard.slice(0, 5)) {
      list.append(el("li", undefined, `${row.name}: ${Math.round(row.score)}`));
    }
    box.append(el("p", "quiz-label", "Leaderboard"), list);
  }
  return box;
}
