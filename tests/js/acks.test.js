// @ts-check
/**
 * Seq tracking and acks, as docs/protocol.md ("Delivery") prescribes: ping
 * with the last seq seen as soon as it is 32 past the last ack, and at least
 * every 5 s; counted in seqs, not frames; duplicates dropped.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { harness, hello, viewport } from "./harness.js";

describe("acks", () => {
  it("acks at once when the last seq seen is 32 past the last ack", () => {
    const { live } = harness();
    const socket = live(10); // the snapshot's last_seq counts as acked
    for (let seq = 11; seq <= 41; seq += 1) socket.deliver(viewport(seq));
    assert.deepEqual(socket.sentOf("ping"), []);
    socket.deliver(viewport(42));
    assert.deepEqual(socket.sentOf("ping"), [{ type: "ping", seq: 42 }]);
    for (let seq = 43; seq <= 73; seq += 1) socket.deliver(viewport(seq));
    assert.equal(socket.sentOf("ping").length, 1);
    socket.deliver(viewport(74));
    assert.deepEqual(socket.sentOf("ping").at(-1), { type: "ping", seq: 74 });
  });

  it("counts seqs, not frames: one frame far ahead is acked at once", () => {
    const { live } = harness();
    const socket = live(10);
    socket.deliver(viewport(300)); // a coalesced viewport after a burst for others
    assert.deepEqual(socket.sentOf("ping"), [{ type: "ping", seq: 300 }]);
  });

  it("pings every 5 s otherwise: the heartbeat, with the last seq seen", () => {
    const { clock, live } = harness();
    const socket = live(10);
    socket.deliver(viewport(12));
    clock.advance(4999);
    assert.deepEqual(socket.sentOf("ping"), []);
    clock.advance(1);
    assert.deepEqual(socket.sentOf("ping"), [{ type: "ping", seq: 12 }]);
    clock.advance(5000);
    assert.deepEqual(socket.sentOf("ping").at(-1), { type: "ping", seq: 12 });
    assert.equal(socket.sentOf("ping").length, 2);
  });

  it("restarts the heartbeat after an early ack, so pings are never more than 5 s apart", () => {
    const { clock, live } = harness();
    const socket = live(10);
    clock.advance(3000);
    socket.deliver(viewport(50)); // acked at once (t = 3000)
    clock.advance(4999);
    assert.equal(socket.sentOf("ping").length, 1);
    clock.advance(1);
    assert.deepEqual(socket.sentOf("ping").at(-1), { type: "ping", seq: 50 });
  });

  it("drops a sequenced frame at or below the last seq seen", () => {
    const { client, live } = harness();
    const socket = live(10);
    /** @type {number[]} */
    const seen = [];
    client.on("viewport", (e) => seen.push(e.seq));
    socket.deliver(viewport(11));
    socket.deliver(viewport(11));
    socket.deliver(viewport(9));
    socket.deliver(viewport(12));
    assert.deepEqual(seen, [11, 12]);
  });

  it("after a hello, counts the server's last_seq as acked while the replay arrives", () => {
    const { clock, socket, live } = harness();
    live(10);
    socket().drop(1006);
    clock.advance(500);
    socket().accept();
    socket().deliver(hello(10, 80)); // the server released up to 80
    for (let seq = 11; seq <= 80; seq += 1) socket().deliver(viewport(seq));
    assert.deepEqual(socket().sentOf("ping"), []);
    socket().deliver(viewport(112));
    assert.deepEqual(socket().sentOf("ping"), [{ type: "ping", seq: 112 }]);
  });

  it("does not ping before the snapshot", () => {
    const { client, clock, socket } = harness();
    client.connect();
    socket().accept();
    clock.advance(12000);
    assert.deepEqual(socket().sent, []);
  });
});
