// @ts-check
/**
 * The live session's websocket, for the teacher console and the student view.
 * The wire contract is docs/protocol.md; this module's contract (states,
 * events, methods) is docs/frontend.md, "The live client".
 *
 *   import { SessionClient } from "/static/frontend/live/client.js";
 *   const client = new SessionClient({ sessionId: 12, guestToken });
 *   client.onState((state) => banner.show(state));    // called at once, then on changes
 *   client.on("snapshot", (snapshot) => page.reset(snapshot));
 *   client.on("viewport", (event) => viewer.follow(event.viewport));
 *   client.connect();
 *   client.send({ type: "hand", raised: true });      // false while not live
 *   const ack = await client.answer(12, { choice: "84" });
 *
 * It tracks `seq` and acks it as docs/protocol.md prescribes (`ping` 32
 * seqs past the last ack, and every 5 s); resumes with `?since=` after a
 * drop, with exponential backoff and jitter, and takes the fresh snapshot
 * the server sends when it cannot replay; gives up a socket silent for 15 s;
 * stops for good on a refusal (4403, 4404, 4413, 4429) or a protocol version
 * it does not speak; sends the continuous streams latest-value-wins; resends
 * quiz answers with their client_id until acknowledged; and dispatches each
 * frame to the handlers of its type, ignoring types nobody handles.
 * WebSocket, timers, animation frames, the clock, randomness and ids are
 * injected (options), so tests/js drive all of it without a browser.
 * streams.js (latest value wins) and answers.js (answers until acked) are
 * its helpers; pages import this module only. Its types (states, options)
 * are in frontend/types/live.d.ts, the frames' in protocol.d.ts.
 */

import { AnswerBook, CommandError } from "./answers.js";
import { StreamSender } from "./streams.js";

export { CommandError };

/**
 * @import { CommandMap, EventMap, Protocol } from "../../../types/protocol.js"
 * @import { ClientCommand, ClientOptions, ConnectionState, PageCommand, RefusalReason,
 *   ServerEvent, Timers, Tuning, WebSocketLike } from "../../../types/live.js"
 */

/** The protocol this client speaks; tsc fails here when the server's changes. */
/** @type {Protocol["protocol_version"]} */
export const PROTOCOL = 1;

/** @type {Tuning} */
export const DEFAULT_TUNING = Object.freeze({
  ackEvery: 32,
  heartbeatMs: 5000,
  deadAfterMs: 15000,
  backoffBaseMs: 500,
  backoffMaxMs: 30000,
  answerResendMs: 5000,
  streamIntervalMs: Object.freeze({ set_viewport: 50, pointer: 50, report_viewport: 125 }),
});

/** Close codes after which reconnecting cannot help (docs/protocol.md). */
/** @type {Readonly<Record<number, RefusalReason>>} */
export const REFUSALS = Object.freeze({
  4403: "forbidden",
  4404: "not_found",
  4413: "too_large",
  4429: "abuse",
});

/** What to tell a person about a refusal (pages may word it their own way). */
/** @type {Readonly<Record<RefusalReason, string>>} */
export const REFUSAL_MESSAGES = Object.freeze({
  forbidden:
    "You are not allowed in this session. Log in with your course account, or join again with the session code.",
  not_found: "This session does not exist any more. Ask your teacher for the current link or code.",
  too_large: "This page sent a message the server refused. Reload the page to continue.",
  abuse: "This page sent too many invalid messages and was disconnected. Reload the page to continue.",
  outdated: "The server was updated. Reload the page to continue.",
});

/** The client closes a silent socket with this code (never sent by the server). */
export const CLOSE_SILENT = 4000;
/** A socket live this long (ms) before it drops starts the reconnect backoff over. */
const STABLE_MS = 10000;
/** Frames are at most 64 KiB; the server refuses bigger ones (and closes past 1 MiB). */
const MAX_FRAME_BYTES = 64 * 1024;
const OPEN = 1;

/** @typedef {"retry" | "heartbeat" | "watchdog"} TimerName */

export class SessionClient {
  /** @type {ConnectionState} */
  #state = { status: "idle" };
  /** @type {WebSocketLike | null} */
  #socket = null;
  /** The last seq seen; null until a snapshot gave a baseline (then reconnects resume). */
  /** @type {number | null} */
  #lastSeq = null;
  #ackedSeq = 0;
  #attempt = 0;
  #lastHeard = 0;
  /** @type {Map<string, Set<(event: ServerEvent) => void>>} */
  #handlers = new Map();
  /** @type {Set<(state: ConnectionState) => void>} */
  #stateHandlers = new Set();
  /** @type {Record<TimerName, unknown>} */
  #timers = { retry: null, heartbeat: null, watchdog: null };
  /** When the current socket went live (its snapshot or hello), or null. */
  /** @type {number | null} */
  #liveSince = null;
  /** @type {Required<Omit<ClientOptions, "guestToken" | "tuning" | "sessionId">>} */
  #env;
  /** @type {string | null} */
  #guestToken;
  /** @type {Tuning} */
  #tuning;
  /** @type {StreamSender<ClientCommand>} */
  #streams;
  /** @type {AnswerBook} */
  #answers;

  /** @param {ClientOptions} options */
  constructor(options) {
    if (!Number.isInteger(options.sessionId) || options.sessionId < 1) {
      throw new TypeError("sessionId must be a positive integer");
    }
    /** @type {Timers} */
    const timers = options.timers || {
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(/** @type {number} */ (handle)),
    };
    /** The session this client connects to. */
    this.sessionId = options.sessionId;
    this.#guestToken = options.guestToken || null;
    this.#tuning = { ...DEFAULT_TUNING, ...options.tuning };
    this.#env = {
      url: options.url || defaultUrl(options.sessionId),
      WebSocket: options.WebSocket || globalThis.WebSocket,
      timers,
      requestAnimationFrame:
        options.requestAnimationFrame ||
        (typeof globalThis.requestAnimationFrame === "function"
          ? (callback) => void globalThis.requestAnimationFrame(() => callback())
          : (callback) => void timers.setTimeout(callback, 16)),
      now: options.now || (() => globalThis.performance.now()),
      random: options.random || Math.random,
      newId: options.newId || randomId,
      log: options.log || globalThis.console,
    };
    const write = (/** @type {ClientCommand} */ frame) =>
      this.#state.status === "live" && this.#write(frame);
    this.#streams = new StreamSender({
      intervals: this.#tuning.streamIntervalMs,
      now: this.#env.now,
      requestAnimationFrame: this.#env.requestAnimationFrame,
      write,
    });
    this.#answers = new AnswerBook({
      resendMs: this.#tuning.answerResendMs,
      now: this.#env.now,
      timers,
      write,
    });
  }

  /** The connection state (see ConnectionState). */
  get state() {
    return this.#state;
  }

  /** The last seq seen, or null before the first snapshot. */
  get lastSeq() {
    return this.#lastSeq;
  }

  /** Open the socket; handlers registered before see the first snapshot. */
  connect() {
    if (this.#state.status !== "idle" && this.#state.status !== "closed") return;
    this.#lastSeq = null;
    this.#attempt = 0;
    this.#open();
  }

  /** Close for good (state `closed`); pending quiz answers are rejected. */
  close() {
    this.#drop(1000, "closed by the page");
    this.#liveSince = null;
    this.#clear("retry");
    this.#streams.clear();
    this.#answers.failAll("closed", "the page closed the connection");
    this.#setState({ status: "closed" });
  }

  /** While `reconnecting`, try at once instead of waiting (e.g. on the browser's `online`). */
  retryNow() {
    if (this.#state.status !== "reconnecting") return;
    this.#clear("retry");
    this.#open();
  }

  /** Start again from a fresh snapshot (a page that lost track of its state). */
  resync() {
    if (this.#state.status !== "live" && this.#state.status !== "connecting") return;
    this.#drop(1000, "resync");
    this.#lastSeq = null;
    this.#open();
  }

  /**
   * Call `handler` with every frame of `type`; returns a function that stops it.
   * @template {keyof EventMap} K
   * @param {K} type
   * @param {(event: EventMap[K]) => void} handler
   * @returns {() => void}
   */
  on(type, handler) {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    const stored = /** @type {(event: ServerEvent) => void} */ (handler);
    set.add(stored);
    return () => void set.delete(stored);
  }

  /**
   * Call `handler` with the state now and on every change; returns a function that stops it.
   * @param {(state: ConnectionState) => void} handler
   * @returns {() => void}
   */
  onState(handler) {
    this.#stateHandlers.add(handler);
    this.#call(handler, this.#state);
    return () => void this.#stateHandlers.delete(handler);
  }

  /**
   * Send a command. Streams (set_viewport, pointer, report_viewport) are
   * queued latest-value-wins and sent when live; quiz_answer goes through
   * answer()'s resending. Anything else is written at once when live.
   * @param {PageCommand} frame
   * @returns {boolean} whether it was written or queued (false while not live)
   */
  send(frame) {
    const type = /** @type {string} */ (frame.type);
    if (type === "ping" || type === "resume") {
      throw new TypeError(`the client sends ${type} itself`);
    }
    if (this.#state.status === "refused" || this.#state.status === "closed") return false;
    if (frame.type === "quiz_answer") {
      this.#answers.submit(frame).catch(() => {}); // refusals are for answer()'s callers
      return true;
    }
    if (this.#streams.handles(frame.type)) {
      this.#streams.put(frame);
      return true;
    }
    return this.#state.status === "live" && this.#write(frame);
  }

  /**
   * Answer a live question; resolves with its `quiz_ack` (committed on the
   * server), rejects with a CommandError when refused. Resent with the same
   * client_id until then, across reconnects; a newer answer to the same
   * question supersedes an unacknowledged older one.
   * @param {number} liveQuestionId
   * @param {CommandMap["quiz_answer"]["answer"]} answer
   * @returns {Promise<EventMap["quiz_ack"]>}
   */
  answer(liveQuestionId, answer) {
    const status = this.#state.status;
    if (status === "refused" || status === "closed") {
      return Promise.reject(new CommandError(status, "the connection is closed for good"));
    }
    return this.#answers.submit({
      type: "quiz_answer",
      live_question_id: liveQuestionId,
      client_id: this.#env.newId(),
      answer,
    });
  }

  // --- the socket ---------------------------------------------------------------

  #open() {
    const since = this.#lastSeq;
    const query = new URLSearchParams();
    if (since !== null) query.set("since", String(since));
    if (this.#guestToken) query.set("guest", this.#guestToken);
    const base = this.#env.url;
    this.#setState({ status: "connecting", attempt: this.#attempt });
    const socket = new this.#env.WebSocket(query.toString() ? `${base}?${query}` : base);
    this.#socket = socket;
    this.#lastHeard = this.#env.now();
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.#socket === socket) this.#lost(event.code);
    };
    socket.onerror = () => {}; // a close event follows
    this.#watch();
  }

  /** Forget the socket (its events are ignored from now on) and close it. */
  /** @param {number} code @param {string} reason */
  #drop(code, reason) {
    const socket = this.#socket;
    this.#socket = null;
    this.#clear("heartbeat");
    this.#clear("watchdog");
    this.#streams.pause();
    this.#answers.disconnected();
    if (!socket) return;
    socket.onmessage = socket.onclose = socket.onerror = socket.onopen = null;
    try {
      socket.close(code, reason);
    } catch (error) {
      this.#env.log.warn("closing the session socket failed", error);
    }
  }

  /**
   * The socket is gone (closed by the server or the network, or given up
   * with CLOSE_SILENT): stop on a refusal, else reconnect after a backoff.
   * A socket that was live for a while starts the backoff over.
   * @param {number} code
   */
  #lost(code) {
    this.#drop(code === CLOSE_SILENT ? CLOSE_SILENT : 1000, "lost");
    const reason = REFUSALS[code];
    if (reason) {
      this.#refuse(reason, code);
      return;
    }
    const { backoffBaseMs, backoffMaxMs } = this.#tuning;
    if (this.#liveSince !== null && this.#env.now() - this.#liveSince >= STABLE_MS) this.#attempt = 0;
    this.#liveSince = null;
    const ceiling = Math.min(backoffMaxMs, backoffBaseMs * 2 ** this.#attempt);
    const delay = Math.round(ceiling * (0.5 + this.#env.random() / 2));
    this.#attempt += 1;
    this.#setState({ status: "reconnecting", attempt: this.#attempt, retryInMs: delay, code });
    this.#clear("retry");
    this.#timers.retry = this.#env.timers.setTimeout(() => {
      this.#timers.retry = null;
      this.#open();
    }, delay);
  }

  /** @param {RefusalReason} reason @param {number | null} code */
  #refuse(reason, code) {
    this.#drop(1000, reason);
    this.#streams.clear();
    this.#answers.failAll("refused", REFUSAL_MESSAGES[reason]);
    this.#setState({ status: "refused", reason, code });
  }

  /** A socket that says nothing for deadAfterMs is given up (half-open TCP, a frozen proxy). */
  #watch() {
    this.#clear("watchdog");
    const { deadAfterMs } = this.#tuning;
    const wait = Math.max(0, deadAfterMs - (this.#env.now() - this.#lastHeard));
    this.#timers.watchdog = this.#env.timers.setTimeout(() => {
      this.#timers.watchdog = null;
      if (!this.#socket) return;
      if (this.#env.now() - this.#lastHeard >= deadAfterMs) this.#lost(CLOSE_SILENT);
      else this.#watch();
    }, wait);
  }

  /** @param {unknown} data */
  #receive(data) {
    this.#lastHeard = this.#env.now();
    if (typeof data !== "string") return; // the server sends text only
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(data);
    } catch {
      this.#env.log.warn("ignored a frame that is not JSON");
      return;
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return;
    const frame = /** @type {{type?: unknown, seq?: unknown}} */ (parsed);
    if (typeof frame.type !== "string") return;
    if (typeof frame.seq === "number" && !this.#seen(frame.seq)) return;
    const event = /** @type {ServerEvent} */ (parsed);
    if (event.type === "snapshot" || event.type === "hello") {
      if (!this.#started(event)) return;
    } else if (event.type === "quiz_ack") {
      this.#answers.acknowledged(event);
    } else if (event.type === "error" && this.#answers.refused(event)) {
      return; // the answer's promise reports it
    }
    this.#dispatch(event);
  }

  /** @param {number} seq @returns {boolean} whether the frame is new */
  #seen(seq) {
    if (this.#lastSeq !== null && seq <= this.#lastSeq) return false;
    this.#lastSeq = seq;
    if (seq - this.#ackedSeq >= this.#tuning.ackEvery) this.#ping();
    return true;
  }

  /**
   * A snapshot or hello: delivery (re)started. The server counts its
   * `last_seq` as acknowledged already.
   * @param {EventMap["snapshot"] | EventMap["hello"]} event
   * @returns {boolean} whether the client can go on
   */
  #started(event) {
    if (event.protocol !== PROTOCOL) {
      this.#env.log.error(`the server speaks protocol ${event.protocol}, this page ${PROTOCOL}`);
      this.#refuse("outdated", null);
      return false;
    }
    if (event.type === "snapshot") this.#lastSeq = event.last_seq;
    else if (this.#lastSeq === null) this.#lastSeq = event.resumed_from;
    this.#ackedSeq = event.last_seq;
    if (this.#liveSince === null) this.#liveSince = this.#env.now();
    this.#setState({ status: "live", resumed: event.type === "hello" });
    this.#clear("heartbeat");
    this.#timers.heartbeat = this.#env.timers.setTimeout(() => this.#ping(), this.#tuning.heartbeatMs);
    this.#streams.resume();
    this.#answers.connected();
    return true;
  }

  /** The ack, also the heartbeat: `ping {seq: last seq seen}`. */
  #ping() {
    this.#clear("heartbeat");
    if (!this.#socket || this.#lastSeq === null) return;
    this.#write({ type: "ping", seq: this.#lastSeq });
    this.#ackedSeq = Math.max(this.#ackedSeq, this.#lastSeq);
    this.#timers.heartbeat = this.#env.timers.setTimeout(() => this.#ping(), this.#tuning.heartbeatMs);
  }

  /**
   * @param {ClientCommand} frame
   * @returns {boolean}
   */
  #write(frame) {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) return false;
    const text = JSON.stringify(frame);
    if (text.length > MAX_FRAME_BYTES / 3 && new TextEncoder().encode(text).length > MAX_FRAME_BYTES) {
      throw new RangeError(`a ${frame.type} frame over ${MAX_FRAME_BYTES} bytes`);
    }
    socket.send(text);
    return true;
  }

  /** @param {ServerEvent} event */
  #dispatch(event) {
    const handlers = this.#handlers.get(event.type);
    if (!handlers) return; // nobody handles it: unknown or unused types are ignored
    for (const handler of [...handlers]) this.#call(handler, event);
  }

  /**
   * One page handler's exception must not stop the client or the others.
   * @template T
   * @param {(value: T) => void} handler
   * @param {T} value
   */
  #call(handler, value) {
    try {
      handler(value);
    } catch (error) {
      this.#env.log.error("a live session handler failed", error);
    }
  }

  /** @param {ConnectionState} state */
  #setState(state) {
    const before = this.#state;
    this.#state = state;
    if (before.status === "live" && state.status === "live") return; // a resync on an open socket
    for (const handler of [...this.#stateHandlers]) this.#call(handler, state);
  }

  /** @param {TimerName} name */
  #clear(name) {
    if (this.#timers[name] !== null) this.#env.timers.clearTimeout(this.#timers[name]);
    this.#timers[name] = null;
  }
}

/** @param {number} sessionId */
function defaultUrl(sessionId) {
  const { protocol, host } = globalThis.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/ws/sessions/${sessionId}/`;
}

/** 32 hex digits from the browser's CSPRNG (crypto.randomUUID needs a secure context). */
function randomId() {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
