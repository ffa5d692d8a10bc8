// @ts-check
/**
 * Latest value wins for continuous streams (the teacher's viewport and
 * pointer, a student's reported viewport), used by client.js; see
 * docs/frontend.md. Each stream keeps only its newest frame; frames go out
 * in animation frames, at most once every `intervals[type]` ms: a viewer
 * animating at 60 Hz sends a viewport every third frame (20 a second), and
 * the last one sent is where it stopped. While a frame waits for its turn
 * the sender looks again at every animation frame (none run in a hidden
 * tab: what waits there goes out when the tab shows again).
 */

/**
 * @template {{type: string}} F
 * @typedef {object} StreamEnv
 * @property {Record<string, number>} intervals least ms between two frames of a type
 * @property {() => number} now
 * @property {(callback: () => void) => void} requestAnimationFrame
 * @property {(frame: F) => boolean} write false when it cannot be sent now (kept for later)
 */

/** @template {{type: string}} F */
export class StreamSender {
  /** @type {Map<string, {frame: F | null, sentAt: number}>} */
  #streams = new Map();
  #frameRequested = false;
  #paused = true;
  /** @type {StreamEnv<F>} */
  #env;

  /** @param {StreamEnv<F>} env */
  constructor(env) {
    this.#env = env;
  }

  /** @param {string} type */
  handles(type) {
    return Object.hasOwn(this.#env.intervals, type);
  }

  /**
   * The newest value of its stream: replaces one not sent yet.
   * @param {F} frame
   */
  put(frame) {
    const entry = this.#streams.get(frame.type);
    if (entry) entry.frame = frame;
    else this.#streams.set(frame.type, { frame, sentAt: -Infinity });
    this.#request();
  }

  /** Send what is pending (the connection is live). */
  resume() {
    this.#paused = false;
    this.#request();
  }

  /** Hold frames back (not connected); they are kept, newest only. */
  pause() {
    this.#paused = true;
  }

  /** Forget every pending frame. */
  clear() {
    this.pause();
    this.#streams.clear();
  }

  #request() {
    if (this.#frameRequested || this.#paused) return;
    if (![...this.#streams.values()].some((entry) => entry.frame)) return;
    this.#frameRequested = true;
    this.#env.requestAnimationFrame(() => {
      this.#frameRequested = false;
      this.#flush();
    });
  }

  #flush() {
    if (this.#paused) return;
    const now = this.#env.now();
    for (const [type, entry] of this.#streams) {
      if (entry.frame && now >= entry.sentAt + this.#env.intervals[type]) {
        if (!this.#env.write(entry.frame)) return; // not connected: kept for resume()
        entry.frame = null;
        entry.sentAt = now;
      }
    }
    this.#request(); // another frame for what is not due yet
  }
}
