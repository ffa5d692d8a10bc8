// @ts-check
/** Self-paced assignment page (see docs/quizzes.md, "Self-paced assignments").
 *
 * Renders the questions from the page's JSON (no correct answers before the
 * deadline: the server never sends them), saves each answer with a POST
 * carrying a client id (a retry of the same answer reuses it, so the server
 * stores it once), and shows locate questions on the slide with
 * OpenSeadragon: a click picks a point in level-0 pixel coordinates.
 *
 * The page data is quizzes.actions.assignment_view_for (JSON); its shapes:
 * @typedef {{x: number, y: number, zoom: number, rotation?: number}} QuizView
 * @typedef {{id: string, text: string}} QuizOption
 * @typedef {{type: string, prompt: string, time_limit: number, points: number,
 *   slide_id: number | null, view: QuizView | null, options: QuizOption[] | null,
 *   unit: string | null}} PublicQuestion
 * @typedef {{choice?: string, choices?: string[], value?: number | boolean,
 *   text?: string, x?: number, y?: number}} QuizAnswer
 * @typedef {{kind: "rect", x: number, y: number, width: number, height: number}
 *   | {kind: "ellipse", cx: number, cy: number, rx: number, ry: number, rotation?: number}
 *   | {kind: "polygon", points: [number, number][]}} QuizRegion
 * @typedef {{choices?: string[], value?: number | boolean, tolerance?: number,
 *   unit?: string | null, accepted?: string[], case_sensitive?: boolean,
 *   regions?: QuizRegion[], tolerance_um?: number}} CorrectAnswer
 * @typedef {{id: number, position: number, question: PublicQuestion,
 *   your_answer: QuizAnswer | null, correct_answer?: CorrectAnswer,
 *   explanation?: string, your_result?: {correct: boolean | null, score: number} | null}} QuizEntry
 * @typedef {{assignment: {open: boolean, past_due: boolean}, questions: QuizEntry[]}} QuizData
 * @typedef {{answerUrl: string, slideInfo: Record<string, string>, osdPrefix: string,
 *   canAnswer: boolean}} QuizConfig
 * @typedef {{node: HTMLElement, read: () => QuizAnswer | null}} QuizInput
 */
(function () {
  "use strict";

  /**
   * @param {string} id
   * @returns {HTMLElement}
   */
  function byId(id) {
    var node = document.getElementById(id);
    if (!node) throw new Error("assignment.html has no #" + id);
    return node;
  }

  /** @type {QuizData} */
  var data = JSON.parse(byId("quiz-data").textContent || "null");
  /** @type {QuizConfig} */
  var config = JSON.parse(byId("quiz-config").textContent || "null");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = (csrfMeta && csrfMeta.getAttribute("content")) || "";
  var list = byId("quiz-questions");
  var editable = config.canAnswer && data.assignment.open;
  var SVG = "http://www.w3.org/2000/svg";

  /**
   * @template {keyof HTMLElementTagNameMap} K
   * @param {K} tag
   * @param {Record<string, string>} [attrs]
   * @param {(Node | null)[]} [children]
   * @returns {HTMLElementTagNameMap[K]}
   */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    var given = attrs || {};
    Object.keys(given).forEach(function (k) {
      if (k === "text") node.textContent = given[k];
      else if (k === "className") node.className = given[k];
      else node.setAttribute(k, given[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // Inline markdown only (**bold**, *italic*, `code`, line breaks), built as
  // DOM nodes from text: never innerHTML, so a prompt cannot inject markup.
  /** @param {string} text */
  function markdown(text) {
    var box = el("div", { className: "quiz-prompt" });
    var pattern = /(\*\*[^*]+\*\*|\*[^*\s][^*]*\*|`[^`]+`)/g;
    text.split(pattern).forEach(function (part) {
      if (!part) return;
      if (part.indexOf("**") === 0 && part.length > 4) box.appendChild(el("strong", { text: part.slice(2, -2) }));
      else if (part[0] === "*" && part.length > 2) box.appendChild(el("em", { text: part.slice(1, -1) }));
      else if (part[0] === "`" && part.length > 2) box.appendChild(el("code", { text: part.slice(1, -1) }));
      else box.appendChild(document.createTextNode(part));
    });
    return box;
  }

  function newClientId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  /**
   * @param {QuizEntry} entry
   * @param {boolean} multiple
   * @returns {QuizInput}
   */
  function choiceInputs(entry, multiple) {
    var q = entry.question;
    /** @type {QuizAnswer} */
    var mine = entry.your_answer || {};
    var chosen = multiple ? (mine.choices || []) : [mine.choice];
    if (q.type === "truefalse" && mine.value !== undefined) chosen = [String(mine.value)];
    var box = el("fieldset", { className: "quiz-options" }, [el("legend", { text: "Your answer" })]);
    (q.options || []).forEach(function (opt) {
      var input = el("input", {
        type: multiple ? "checkbox" : "radio",
        name: "q" + entry.id,
        value: opt.id,
      });
      input.checked = chosen.indexOf(opt.id) !== -1;
      input.disabled = !editable;
      box.appendChild(el("label", { className: "quiz-option" }, [input, document.createTextNode(" " + opt.text)]));
    });
    return {
      node: box,
      read: function () {
        var picked = Array.from(box.querySelectorAll("input"))
          .filter(function (i) { return i.checked; })
          .map(function (i) { return i.value; });
        if (!picked.length) return null;
        if (q.type === "truefalse") return { value: picked[0] === "true" };
        return multiple ? { choices: picked } : { choice: picked[0] };
      },
    };
  }

  /**
   * @param {QuizEntry} entry
   * @returns {QuizInput}
   */
  function valueInput(entry) {
    var q = entry.question;
    /** @type {QuizAnswer} */
    var mine = entry.your_answer || {};
    /** @type {HTMLInputElement | HTMLTextAreaElement} */
    var input;
    if (q.type === "numeric") {
      input = el("input", { type: "number", step: "any", inputmode: "decimal" });
      if (mine.value !== undefined) input.value = String(mine.value);
    } else {
      input = el("textarea", { rows: q.type === "open" ? "4" : "1", maxlength: "500" });
      if (mine.text !== undefined) input.value = mine.text;
    }
    input.disabled = !editable;
    var label = el("label", { className: "quiz-value" }, [
      document.createTextNode("Your answer "), input,
      q.unit ? document.createTextNode(" " + q.unit) : null,
    ]);
    return {
      node: label,
      read: function () {
        if (q.type === "numeric") {
          if (input.value.trim() === "") return null;
          var n = Number(input.value);
          return Number.isFinite(n) ? { value: n } : null;
        }
        return input.value.trim() ? { text: input.value } : null;
      },
    };
  }

  /**
   * @param {QuizEntry} entry
   * @returns {QuizInput}
   */
  function locateInput(entry) {
    var q = entry.question;
    var mine = entry.your_answer;
    /** @type {{x: number, y: number} | null} */
    var point = mine && mine.x !== undefined && mine.y !== undefined ? { x: mine.x, y: mine.y } : null;
    var stage = el("div", { className: "quiz-osd", tabindex: "0", "aria-label": "Slide; click to place your answer" });
    var readout = el("p", { className: "quiz-readout", text: point ? describe(point) : "Click on the slide to answer." });
    var wrap = el("div", { className: "quiz-locate" }, [stage, readout]);
    /** @type {OpenSeadragon.Viewer | null} */
    var viewer = null;
    var marker = el("div", { className: "quiz-marker", "aria-hidden": "true" });

    /** @param {{x: number, y: number}} p */
    function describe(p) { return "Your point: x " + Math.round(p.x) + ", y " + Math.round(p.y) + " (level-0 pixels)"; }

    /** @param {{x: number, y: number}} p */
    function place(p) {
      if (!viewer) return;
      var vp = viewer.viewport.imageToViewportCoordinates(p.x, p.y);
      if (viewer.getOverlayById(marker)) viewer.updateOverlay(marker, vp, OpenSeadragon.Placement.CENTER);
      else viewer.addOverlay({ element: marker, location: vp, placement: OpenSeadragon.Placement.CENTER });
    }

    function open() {
      var url = config.slideInfo[String(q.slide_id)];
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (/** @type {{dzi: string}} */ info) {
          var osd = OpenSeadragon({
            element: stage,
            prefixUrl: config.osdPrefix,
            tileSources: info.dzi,
            showNavigator: true,
            gestureSettingsMouse: { clickToZoom: false },
          });
          viewer = osd;
          osd.addHandler("open", function () {
            if (q.view) {
              osd.viewport.panTo(osd.viewport.imageToViewportCoordinates(q.view.x, q.view.y), true);
              osd.viewport.zoomTo(osd.viewport.imageToViewportZoom(q.view.zoom), undefined, true);
            }
            if (point) place(point);
            if (entry.correct_answer) drawRegions(osd, entry.correct_answer.regions || []);
          });
          osd.addHandler("canvas-click", function (e) {
            if (!e.quick || !editable) return;
            var img = osd.viewport.viewportToImageCoordinates(osd.viewport.pointFromPixel(e.position));
            var size = osd.world.getItemAt(0).getContentSize();
            if (img.x < 0 || img.y < 0 || img.x > size.x || img.y > size.y) return;
            point = { x: img.x, y: img.y };
            place(point);
            readout.textContent = describe(point);
          });
        })
        .catch(function (err) {
          stage.replaceChildren(el("p", { className: "quiz-error", role: "alert", text: "The slide could not be loaded (" + err.message + ")." }));
        });
    }

    if (window.IntersectionObserver) {
      var seen = new IntersectionObserver(function (items) {
        if (items.some(function (i) { return i.isIntersecting; })) { seen.disconnect(); open(); }
      });
      seen.observe(stage);
    } else {
      open();
    }
    return { node: wrap, read: function () { return point ? { x: point.x, y: point.y } : null; } };
  }

  /**
   * @param {OpenSeadragon.Viewer} viewer
   * @param {QuizRegion[]} regions
   */
  function drawRegions(viewer, regions) {
    var size = viewer.world.getItemAt(0).getContentSize();
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + size.x + " " + size.y);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("class", "quiz-regions");
    regions.forEach(function (r) {
      var shape;
      if (r.kind === "rect") {
        shape = document.createElementNS(SVG, "rect");
        shape.setAttribute("x", String(r.x)); shape.setAttribute("y", String(r.y));
        shape.setAttribute("width", String(r.width)); shape.setAttribute("height", String(r.height));
      } else if (r.kind === "ellipse") {
        shape = document.createElementNS(SVG, "ellipse");
        shape.setAttribute("cx", String(r.cx)); shape.setAttribute("cy", String(r.cy));
        shape.setAttribute("rx", String(r.rx)); shape.setAttribute("ry", String(r.ry));
        shape.setAttribute("transform", "rotate(" + (r.rotation || 0) + " " + r.cx + " " + r.cy + ")");
      } else {
        shape = document.createElementNS(SVG, "polygon");
        shape.setAttribute("points", r.points.map(function (p) { return p[0] + "," + p[1]; }).join(" "));
      }
      svg.appendChild(shape);
    });
    viewer.addOverlay({
      element: /** @type {Element} */ (/** @type {unknown} */ (svg)),
      location: viewer.viewport.imageToViewportRectangle(0, 0, size.x, size.y),
    });
  }

  /** @param {QuizEntry} entry */
  function describeCorrect(entry) {
    /** @type {CorrectAnswer} */
    var c = entry.correct_answer || {};
    var q = entry.question;
    const choices = c.choices;
    if (choices) {
      return (q.options || []).filter(function (o) { return choices.indexOf(o.id) !== -1; })
        .map(function (o) { return o.text; }).join("; ");
    }
    if (q.type === "truefalse") return c.value ? "True" : "False";
    if (q.type === "numeric") return c.value + (c.tolerance ? " ± " + c.tolerance : "") + (c.unit ? " " + c.unit : "");
    if (c.accepted) return c.accepted.join(" / ");
    if (q.type === "locate") return "the outlined region" + (c.tolerance_um ? " (within " + c.tolerance_um + " µm)" : "");
    return "any answer (ungraded)";
  }

  /** @param {QuizEntry} entry */
  function render(entry) {
    var q = entry.question;
    /** @type {QuizInput} */
    var input;
    if (q.type === "single" || q.type === "truefalse") input = choiceInputs(entry, false);
    else if (q.type === "multiple") input = choiceInputs(entry, true);
    else if (q.type === "locate") input = locateInput(entry);
    else input = valueInput(entry);

    var status = el("p", { className: "quiz-status", role: "status", text: entry.your_answer ? "Answer saved." : "" });
    var button = el("button", { type: "submit", className: "button", text: "Save answer" });
    button.disabled = !editable;
    var form = el("form", { className: "quiz-form", novalidate: "" }, [input.node, editable ? button : null, status]);
    /** @type {{body: string, clientId: string} | null} */
    var pending = null; // a retry of the same answer reuses the id

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var answer = input.read();
      if (!answer) { status.textContent = "Give an answer first."; return; }
      var body = JSON.stringify(answer);
      if (!pending || pending.body !== body) pending = { body: body, clientId: newClientId() };
      var clientId = pending.clientId;
      button.disabled = true;
      status.textContent = "Saving…";
      fetch(config.answerUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ question_id: entry.id, client_id: clientId, answer: answer }),
      })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, json: j }; }); })
        .then(function (res) {
          if (res.ok) {
            status.textContent = "Answer saved at " + new Date(res.json.saved_at).toLocaleTimeString() + ".";
            pending = null;
          } else {
            status.textContent = "Not saved: " + res.json.error;
          }
        })
        .catch(function () { status.textContent = "Not saved: the network failed. Try again."; })
        .then(function () { button.disabled = !editable; });
    });

    var children = [
      el("h2", { text: "Question " + entry.position + " · " + q.points + (q.points === 1 ? " point" : " points") }),
      markdown(q.prompt),
      form,
    ];
    if (entry.correct_answer) {
      var result = entry.your_result;
      var verdict = !result ? "You did not answer." :
        result.correct === null ? "Ungraded." : result.correct ? "Correct (" + result.score + ")." : "Not correct.";
      children.push(el("div", { className: "quiz-reveal" }, [
        el("p", { text: verdict }),
        el("p", { text: "Answer: " + describeCorrect(entry) }),
        entry.explanation ? markdown(entry.explanation) : null,
      ]));
    }
    return el("li", { className: "quiz-question", id: "question-" + entry.id }, children);
  }

  list.replaceChildren.apply(list, data.questions.map(render));
  if (!data.assignment.open && !data.assignment.past_due) {
    list.insertBefore(el("li", { className: "quiz-note", text: "This assignment is not open yet." }), list.firstChild);
  }
})();
