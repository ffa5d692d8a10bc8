// @ts-check
/**
 * Fakes for the live client's unit tests (docs/frontend.md, "Tests"): a clock
 * that owns timers and animation frames, and a WebSocket whose server side
 * the test plays. Nothing here runs in a browser.
 *
 * @import { ConnectionState } from "../../frontend/types/live.js"
 * @import { EventMap } from "../../frontend/types/protocol.js"
 */
import { SessionClient } from "../../frontend/static/frontend/live/client.js";

/** Animation frames come every FRAME_MS of fake time (60 Hz). */
export const FRAME_MS = 1000 / 60;

/** Timers, requestAnimationFrame and a clock, all driven by advance(). */
export class FakeClock {
  now = 0;
  #nextId = 1;
  /** @type {Map<number, {at: number, callback: () => void}>} */
  #timers = new Map();
  /** @type {(() => void)[]} */
  #frames = [];

  timers = {
    /** @param {() => void} callback @param {number} ms */
    setTimeout: (callback, ms) => {
      const id = this.#nextId++;
      this.#timers.set(id, { at: this.now + Math.max(0, ms), callback });
      return id;
    },
    /** @param {unknown} handle */
    clearTimeout: (handle) => void this.#timers.delete(/** @type {number} */ (handle)),
  };

  /** @param {() => void} callback */
  requestAnimationFrame = (callback) => void this.#frames.push(callback);

  /** Pending timers' delays from now, soonest first. */
  get pendingDelays() {
    return [...this.#timers.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /**
   * Move time forward, running timers and animation frames in time order.
   * @param {number} ms
   */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      const timer = [...this.#timers.entries()].sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      // The next frame strictly after now (the epsilon absorbs float error).
      const frameAt = this.#frames.length
        ? (Math.floor(this.now / FRAME_MS + 1e-9) + 1) * FRAME_MS
        : Infinity;
      const timerAt = timer ? timer[1].at : Infinity;
      const at = Math.min(frameAt, timerAt);
      if (at > end + 1e-9) break;
      this.now = Math.max(this.now, at);
      if (frameAt <= timerAt) {
        const frames = this.#frames;
        this.#frames = [];
        for (const callback of frames) callback();
      } else if (timer) {
        this.#timers.delete(timer[0]);
        timer[1].callback();
      }
    }
    this.now = Math.max(this.now, end);
  }
}

/** One fake websocket: the client's end, plus methods for the test's server side. */
export class FakeSocket {
  readyState = 0;
  /** @type {{type: string, [field: string]: unknown}[]} frames the client sent, parsed */
  sent = [];
  /** @type {{code?: number, reason?: string} | null} */
  closedBy = null;
  /** @type {((event: Event) => void) | null} */
  onopen = null;
  /** @type {((event: MessageEvent) => void) | null} */
  onmessage = null;
  /** @type {((event: CloseEvent) => void) | null} */
  onclose = null;
  /** @type {((event: Event) => void) | null} */
  onerror = null;

  /** @param {string} url */
  constructor(url) {
    this.url = new URL(url);
  }

  /** @param {string} text */
  send(text) {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(JSON.parse(text));
  }

  /** @param {number} [code] @param {string} [reason] */
  close(code, reason) {
    this.closedBy = { code, reason };
    this.readyState = 3;
  }

  // --- the server's side ---

  /** The handshake completed. */
  accept() {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }

  /** @param {unknown} frame an object (sent as JSON) or raw text */
  deliver(frame) {
    const data = typeof frame === "string" ? frame : JSON.stringify(frame);
    this.onmessage?.(/** @type {MessageEvent} */ ({ data }));
  }

  /** The server or the network closed the socket. @param {number} code */
  drop(code) {
    this.readyState = 3;
    this.onclose?.(/** @type {CloseEvent} */ ({ code, reason: "", wasClean: code !== 1006 }));
  }

  /** Frames the client sent, of one type. @param {string} type */
  sentOf(type) {
    return this.sent.filter((frame) => frame.type === type);
  }
}

/** A minimal snapshot, as the server sends it. @returns {EventMap["snapshot"]} */
export function snapshot(lastSeq = 10, overrides = {}) {
  return {
    type: "snapshot",
    protocol: 1,
    you: { participant: "u:17", role: "student", name: "Alice" },
    session: { id: 12, title: "Week 1", state: "live" },
    slide: null,
    agenda_index: null,
    agenda: [],
    viewport: null,
    annotations: [],
    locked: false,
    spotlight: null,
    question: null,
    counts: { connected: 2, students: 1, staff: 1, following: 1, hands: 0 },
    roster: null,
    last_seq: lastSeq,
    ...overrides,
  };
}

/** @returns {EventMap["hello"]} */
export function hello(resumedFrom = 10, lastSeq = resumedFrom) {
  return {
    type: "hello",
    protocol: 1,
    you: { participant: "u:17", role: "student", name: "Alice" },
    resumed_from: resumedFrom,
    last_seq: lastSeq,
  };
}

/** A sequenced viewport event. @param {number} seq @returns {EventMap["viewport"]} */
export function viewport(seq, x = 100) {
  return { seq, type: "viewport", viewport: { slide_id: 7, x, y: 200, zoom: 0.5, rotation: 0 } };
}

/**
 * A client wired to fakes; `states` records every state it announced.
 * @param {Partial<import("../../frontend/types/live.js").ClientOptions>} [options]
 */
export function harness(options = {}) {
  const clock = new FakeClock();
  /** @type {FakeSocket[]} */
  const sockets = [];
  /** @type {string[]} */
  const logged = [];
  let ids = 0;
  const client = new SessionClient({
    sessionId: 12,
    url: "ws://classroom.test/ws/sessions/12/",
    WebSocket: class extends FakeSocket {
      /** @param {string} url */
      constructor(url) {
        super(url);
        sockets.push(this);
      }
    },
    timers: clock.timers,
    requestAnimationFrame: clock.requestAnimationFrame,
    now: () => clock.now,
    random: () => 0.5,
    newId: () => `answer-${++ids}`,
    log: {
      warn: (...args) => void logged.push(args.join(" ")),
      error: (...args) => void logged.push(args.join(" ")),
    },
    ...options,
  });
  /** @type {ConnectionState[]} */
  const states = [];
  client.onState((state) => states.push(state));
  /** The newest socket. */
  const socket = () => {
    const last = sockets[sockets.length - 1];
    if (!last) throw new Error("no socket was opened");
    return last;
  };
  /** Connect and go live with a snapshot at `lastSeq`. */
  const live = (lastSeq = 10) => {
    client.connect();
    socket().accept();
    socket().deliver(snapshot(lastSeq));
    return socket();
  };
  return { client, clock, sockets, socket, states, logged, live };
}
