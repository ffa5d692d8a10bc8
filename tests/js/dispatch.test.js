// @ts-check
/**
 * Frames reach the page by type; types nobody handles (newer than this page)
 * and frames that are not JSON objects are ignored, and their seqs still
 * count; a failing handler does not stop the others.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { harness, snapshot, viewport } from "./harness.js";

describe("dispatch", () => {
  it("ignores unknown frame types but counts their seq", () => {
    const { client, live, logged } = harness();
    const socket = live(10);
    /** @type {number[]} */
    const seen = [];
    client.on("viewport", (e) => seen.push(e.seq));
    socket.deliver({ seq: 11, type: "hologram_opened", depth: 3 });
    socket.deliver({ type: "weather", sunny: true });
    socket.deliver(viewport(12));
    assert.deepEqual(seen, [12]);
    assert.equal(client.lastSeq, 12);
    assert.deepEqual(logged, []);
    assert.equal(client.state.status, "live");
  });

  it("ignores frames that are not JSON objects with a type", () => {
    const { client, live, logged } = harness();
    const socket = live(10);
    /** @type {unknown[]} */
    const all = [];
    client.on("viewport", (e) => all.push(e));
    for (const junk of ["not json", "[1, 2]", "null", "42", '{"seq": 11}', '{"type": 7}']) {
      socket.deliver(junk);
    }
    socket.deliver(viewport(11));
    assert.equal(all.length, 1);
    assert.equal(client.lastSeq, 11);
    assert.equal(logged.length, 1); // "not json" is worth a warning
  });

  it("keeps calling the other handlers when one throws", () => {
    const { client, live, logged } = harness();
    const socket = live(10);
    /** @type {number[]} */
    const seen = [];
    client.on("viewport", () => {
      throw new Error("page bug");
    });
    client.on("viewport", (e) => seen.push(e.seq));
    socket.deliver(viewport(11));
    socket.deliver(viewport(12));
    assert.deepEqual(seen, [11, 12]);
    assert.equal(logged.length, 2);
  });

  it("stops calling a handler once unsubscribed", () => {
    const { client, live } = harness();
    const socket = live(10);
    /** @type {number[]} */
    const seen = [];
    const stop = client.on("viewport", (e) => seen.push(e.seq));
    socket.deliver(viewport(11));
    stop();
    socket.deliver(viewport(12));
    assert.deepEqual(seen, [11]);
  });
});

describe("send", () => {
  it("writes commands only while live", () => {
    const { client, socket } = harness();
    assert.equal(client.send({ type: "hand", raised: true }), false);
    client.connect();
    socket().accept();
    assert.equal(client.send({ type: "hand", raised: true }), false); // no snapshot yet
    socket().deliver(snapshot(0));
    assert.equal(client.send({ type: "hand", raised: true }), true);
    assert.deepEqual(socket().sentOf("hand"), [{ type: "hand", raised: true }]);
  });

  it("leaves acks and resumes to the client", () => {
    const { client, live } = harness();
    live(10);
    const ping = /** @type {import("../../frontend/types/live.js").PageCommand} */ (
      /** @type {unknown} */ ({ type: "ping", seq: 3 })
    );
    assert.throws(() => client.send(ping), TypeError);
  });

  it("refuses a frame over 64 KiB before the server has to", () => {
    const { client, live } = harness();
    live(10);
    assert.throws(() => client.send({ type: "ask", text: "x".repeat(70000) }), RangeError);
  });
});
