// @ts-check
/**
 * What the three live pages share: their data (#page-data, frontend/page_data.py),
 * the session client, the slide viewer, the connection banner and the
 * screen-reader announcer. A page calls `startPage`, mounts its features on
 * the context it returns, then `connect()`s, so every feature sees the first
 * snapshot (docs/frontend.md, "Live pages").
 *
 *   const ctx = startPage("student");
 *   mountAnnotations(ctx);
 *   ctx.client.connect();
 */

import { REFUSAL_MESSAGES, SessionClient } from "./client.js";
import { LiveViewer } from "./viewer.js";

/**
 * @import { ConnectionState, LiveContext, PageData, SlotName } from "../../../types/live.js"
 * @import { SlideInfo } from "../../../types/slide.js"
 */

/**
 * An element the template must have.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function $(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found;
}

/**
 * A new element with a class and text.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} [className]
 * @param {string} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** @returns {PageData} */
function readPageData() {
  const script = $("page-data");
  return JSON.parse(script.textContent || "null");
}

/** Where a guest's token is kept by the join form (frontend/static/frontend/join.js). */
/** @param {number} sessionId */
function guestToken(sessionId) {
  try {
    const saved = sessionStorage.getItem(`scopecast.guest.${sessionId}`);
    const parsed = saved ? JSON.parse(saved) : null;
    return parsed && typeof parsed.token === "string" ? parsed.token : null;
  } catch {
    return null;
  }
}

/**
 * The banner's words for each connection state.
 * @param {ConnectionState} state
 * @param {PageData} page
 * @returns {{ text: string, retry?: boolean, action?: [string, string] } | null}
 */
export function bannerFor(state, page) {
  switch (state.status) {
    case "connecting":
      return state.attempt ? { text: "Reconnecting…" } : { text: "Connecting to the session…" };
    case "reconnecting":
      return {
        text: `Connection lost. Retrying in ${Math.max(1, Math.round(state.retryInMs / 1000))} s…`,
        retry: true,
      };
    case "refused": {
      const text = REFUSAL_MESSAGES[state.reason] || "The session refused this connection.";
      if (state.reason === "forbidden" && !("me" in page && page.me)) {
        return { text, action: ["Join with a code", page.urls.home] };
      }
      if (state.reason === "outdated") return { text, action: ["Reload", location.href] };
      return { text, action: ["Back to the home page", page.urls.home] };
    }
    default:
      return null;
  }
}

/**
 * @template {PageData} P
 * @param {P["page"]} kind
 * @returns {LiveContext<P> & { viewer: LiveViewer }}
 */
export function startPage(kind) {
  const page = /** @type {P} */ (readPageData());
  if (!page || page.page !== kind) throw new Error(`#page-data is not a ${kind} page`);
  const app = $("live-app");
  const client = new SessionClient({
    sessionId: page.session.id,
    guestToken: kind === "student" && !("member" in page && page.member)
      ? guestToken(page.session.id)
      : null,
  });
  // The big screen shows the class's view only: no navigator in the corner.
  const viewer = new LiveViewer($("live-stage"), {
    osdImages: page.urls.osd_images,
    navigator: kind !== "projector",
  });
  const live = $("live-announcer");
  const toasts = $("live-toasts");
  /** @type {LiveContext<P>["you"]} */
  let you = null;

  client.on("snapshot", (snapshot) => {
    you = snapshot.you;
    app.dataset.role = snapshot.you.role;
    setSessionState(app, snapshot.session.state);
  });
  client.on("session_state", (event) => setSessionState(app, event.state));
  client.on("slide_opened", (event) => {
    viewer.open(/** @type {SlideInfo} */ (/** @type {unknown} */ (event.slide)), event.viewport);
  });
  client.on("error", (event) => {
    if (event.code === "rate_limited") return;
    toast(event.message ? capitalise(event.message) : `Refused: ${event.code}`, "error");
  });

  const banner = $("live-banner");
  client.onState((state) => {
    app.dataset.connection = state.status;
    const words = bannerFor(state, page);
    banner.hidden = !words;
    banner.replaceChildren();
    if (!words) return;
    banner.append(el("span", "banner-text", words.text));
    if (words.retry) {
      const retry = el("button", "button small", "Retry now");
      retry.type = "button";
      retry.addEventListener("click", () => client.retryNow());
      banner.append(retry);
    }
    if (words.action) {
      const link = el("a", "button small", words.action[0]);
      link.href = words.action[1];
      banner.append(link);
    }
    banner.dataset.status = state.status;
  });
  window.addEventListener("online", () => client.retryNow());

  /** @param {string} text */
  function announce(text) {
    live.textContent = "";
    // A new node each time, so the same words are announced twice.
    window.setTimeout(() => live.append(el("span", undefined, text)), 30);
  }

  /**
   * @param {string} text
   * @param {"info" | "error"} [kindOf]
   */
  function toast(text, kindOf = "info") {
    const item = el("div", `toast toast-${kindOf}`, text);
    item.setAttribute("role", kindOf === "error" ? "alert" : "status");
    toasts.append(item);
    window.setTimeout(() => item.remove(), kindOf === "error" ? 8000 : 4000);
  }

  /** @param {SlotName} name */
  function slot(name) {
    return $(`live-${name}`);
  }

  const ctx = {
    page,
    client,
    viewer,
    get you() {
      return you;
    },
    announce,
    toast,
    slot,
  };
  // Tests and the benchmark read the page's state from here (not used by the page itself).
  Object.defineProperty(window, "scopecastLive", { value: ctx, configurable: true });
  return ctx;
}

/**
 * @param {HTMLElement} app
 * @param {string} state
 */
function setSessionState(app, state) {
  app.dataset.session = state;
}

/** @param {string} text */
export function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A button with an accessible label and an optional keyboard hint.
 * @param {string} label
 * @param {string} className
 * @param {() => void} onClick
 */
export function button(label, className, onClick) {
  const b = el("button", className, label);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}
