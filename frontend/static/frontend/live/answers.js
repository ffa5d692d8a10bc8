// @ts-check
/**
 * Quiz answers until the server acknowledges them, used by client.js; see
 * docs/frontend.md and docs/protocol.md ("Quizzes"). A `quiz_ack` means the
 * answer is committed; resending a `client_id` the server knows returns the
 * original ack and changes nothing. So every answer is sent again, with the
 * same `client_id`, on every (re)connection and every `resendMs` until its
 * ack or a refusal (`conflict` and `rate_limited` are worth another try).
 *
 * @import { CommandMap, EventMap } from "../../../types/protocol.js"
 * @typedef {CommandMap["quiz_answer"]} AnswerFrame
 * @typedef {EventMap["quiz_ack"]} QuizAck
 */

/** Refused answers that are worth sending again (docs/protocol.md, "Errors"). */
const RETRY_CODES = new Set(["conflict", "rate_limited"]);

/** A refused command (an `error` frame), or an answer the client gave up on. */
export class CommandError extends Error {
  /**
   * @param {string} code the error frame's code, or the client's own:
   *   `closed`, `refused` (the connection ended for good), `superseded`
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }
}

/**
 * @typedef {object} Pending
 * @property {AnswerFrame} frame
 * @property {(ack: QuizAck) => void} resolve
 * @property {(error: CommandError) => void} reject
 * @property {number} sentAt -Infinity until written
 */

/**
 * @typedef {object} AnswerEnv
 * @property {number} resendMs
 * @property {() => number} now
 * @property {import("../../../types/live.js").Timers} timers
 * @property {(frame: AnswerFrame) => boolean} write false while not connected
 */

export class AnswerBook {
  /** @type {Map<string, Pending>} by client_id, in the order given */
  #pending = new Map();
  /** @type {unknown} */
  #timer = null;
  #connected = false;
  /** @type {AnswerEnv} */
  #env;

  /** @param {AnswerEnv} env */
  constructor(env) {
    this.#env = env;
  }

  /** How many answers await their ack. */
  get size() {
    return this.#pending.size;
  }

  /**
   * Send an answer until acknowledged. Its `ref` is its client_id, which the
   * server echoes in an `error` frame. A newer answer to the same question
   * replaces an unacknowledged older one (rejected as `superseded`), so a
   * resend can never overtake the student's last choice.
   * @param {AnswerFrame} frame
   * @returns {Promise<QuizAck>}
   */
  submit(frame) {
    const clientId = frame.client_id;
    for (const [id, older] of this.#pending) {
      if (older.frame.live_question_id === frame.live_question_id && id !== clientId) {
        this.#pending.delete(id);
        older.reject(new CommandError("superseded", "a newer answer replaced this one"));
      }
    }
    return new Promise((resolve, reject) => {
      /** @type {Pending} */
      const pending = { frame: { ...frame, ref: clientId }, resolve, reject, sentAt: -Infinity };
      this.#pending.set(clientId, pending);
      if (this.#connected) this.#send(pending);
      this.#arm();
    });
  }

  /** Connected (live): send every pending answer now, then on the resend timer. */
  connected() {
    this.#connected = true;
    for (const pending of this.#pending.values()) this.#send(pending);
    this.#arm();
  }

  /** Not connected: wait for connected(). */
  disconnected() {
    this.#connected = false;
  }

  /**
   * A `quiz_ack`; true when it was one of ours.
   * @param {QuizAck} ack
   */
  acknowledged(ack) {
    const pending = this.#pending.get(ack.client_id);
    if (!pending) return false;
    this.#pending.delete(ack.client_id);
    pending.resolve(ack);
    return true;
  }

  /**
   * An `error` frame; true when its ref is one of our answers (then the
   * answer's promise reports it, or it is sent again).
   * @param {EventMap["error"]} error
   */
  refused(error) {
    const pending = error.ref === null ? undefined : this.#pending.get(error.ref);
    if (!pending) return false;
    if (!RETRY_CODES.has(error.code)) {
      this.#pending.delete(pending.frame.client_id);
      pending.reject(new CommandError(error.code, error.message));
    }
    return true;
  }

  /**
   * Give up on every pending answer.
   * @param {string} code
   * @param {string} message
   */
  failAll(code, message) {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    this.#connected = false;
    if (this.#timer !== null) this.#env.timers.clearTimeout(this.#timer);
    this.#timer = null;
    for (const pending of all) pending.reject(new CommandError(code, message));
  }

  /** @param {Pending} pending */
  #send(pending) {
    if (this.#env.write(pending.frame)) pending.sentAt = this.#env.now();
  }

  #arm() {
    if (this.#timer !== null || this.#pending.size === 0) return;
    this.#timer = this.#env.timers.setTimeout(() => {
      this.#timer = null;
      const stale = this.#env.now() - this.#env.resendMs;
      if (this.#connected) {
        for (const pending of this.#pending.values()) {
          if (pending.sentAt <= stale) this.#send(pending);
        }
      }
      this.#arm();
    }, this.#env.resendMs);
  }
}
