// @ts-check
/**
 * Latest value wins for the continuous streams: the teacher's viewport (and
 * pointer) go out once per animation frame at most and at most 20 times a
 * second, the last value always last; report_viewport stays under its
 * server limit (10/s).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { FRAME_MS, harness, hello } from "./harness.js";

/**
 * When the client sent each frame of `type` (fake ms).
 * @param {import("./harness.js").FakeSocket} socket
 * @param {import("./harness.js").FakeClock} clock
 * @param {string} type
 */
function sendTimes(socket, clock, type) {
  /** @type {number[]} */
  const at = [];
  const send = socket.send.bind(socket);
  socket.send = (text) => {
    if (JSON.parse(text).type === type) at.push(clock.now);
    send(text);
  };
  return at;
}

/** @param {number} x */
function view(x) {
  return /** @type {const} */ ({ type: "set_viewport", slide_id: 7, x, y: 5, zoom: 0.5, rotation: 0 });
}

describe("streams", () => {
  it("sends at most 20 viewports a second while the viewer animates, the last value last", () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    const at = sendTimes(socket, clock, "set_viewport");
    for (let i = 1; i <= 300; i += 1) {
      client.send(view(i)); // a new value every 10 ms for 3 s: faster than frames
      clock.advance(10);
    }
    clock.advance(200); // let the last one out
    for (const t of at) {
      const inWindow = at.filter((u) => u >= t && u < t + 1000).length;
      assert.ok(inWindow <= 20, `${inWindow} viewports within 1 s of ${t}`);
    }
    assert.ok(at.length >= 55, `only ${at.length} in 3 s`); // every third frame at 60 Hz
    const xs = socket.sentOf("set_viewport").map((f) => Number(f.x));
    assert.equal(xs.at(-1), 300);
    assert.deepEqual([...xs].sort((a, b) => a - b), xs, "in order");
  });

  it("never sends two frames of a stream within 50 ms", () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    const at = sendTimes(socket, clock, "set_viewport");
    for (let i = 0; i < 200; i += 1) {
      client.send(view(i));
      clock.advance(3);
    }
    clock.advance(100);
    for (let i = 1; i < at.length; i += 1) assert.ok(at[i] - at[i - 1] >= 50, `${at}`);
    assert.equal(socket.sentOf("set_viewport").at(-1)?.x, 199);
  });

  it("coalesces what is given within one animation frame into one frame", () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    clock.advance(FRAME_MS); // settle onto a frame boundary
    client.send(view(1));
    client.send(view(2));
    client.send(view(3));
    assert.deepEqual(socket.sentOf("set_viewport"), []); // not before the frame
    clock.advance(FRAME_MS);
    assert.deepEqual(socket.sentOf("set_viewport").map((f) => f.x), [3]);
  });

  it("keeps each stream apart: a pointer does not replace a viewport", () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    client.send(view(1));
    client.send({ type: "pointer", point: [3, 4] });
    client.send({ type: "pointer", point: null });
    clock.advance(FRAME_MS);
    assert.deepEqual(socket.sentOf("set_viewport").map((f) => f.x), [1]);
    assert.deepEqual(socket.sentOf("pointer"), [{ type: "pointer", point: null }]);
  });

  it("reports a student's viewport at most 8 times a second (the server allows 10)", () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    for (let i = 0; i < 100; i += 1) {
      client.send({ type: "report_viewport", slide_id: 7, x: i, y: 1, zoom: 1, rotation: 0 });
      clock.advance(10);
    }
    clock.advance(200);
    const sent = socket.sentOf("report_viewport");
    assert.ok(sent.length <= 9, `sent ${sent.length} in 1 s`);
    assert.equal(sent.at(-1)?.x, 99);
  });

  it("holds the newest value while reconnecting and sends it once live again", () => {
    const { client, clock, socket, live } = harness();
    live(10);
    socket().drop(1006);
    client.send(view(1));
    client.send(view(2));
    clock.advance(500); // reconnects
    socket().accept();
    clock.advance(100);
    assert.deepEqual(socket().sentOf("set_viewport"), []);
    socket().deliver(hello(10));
    clock.advance(FRAME_MS);
    assert.deepEqual(socket().sentOf("set_viewport").map((f) => f.x), [2]);
  });
});
