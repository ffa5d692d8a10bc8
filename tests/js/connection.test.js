// @ts-check
/**
 * The live client's connection: snapshot and hello, resume with ?since=
 * after a drop, backoff with jitter, fresh snapshots, refusals that stop it,
 * silent sockets (docs/frontend.md, "The live client").
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CLOSE_SILENT, REFUSAL_MESSAGES } from "../../frontend/static/frontend/live/client.js";
import { harness, hello, snapshot, viewport } from "./harness.js";

describe("connecting", () => {
  it("opens the session socket with the guest token and goes live on the snapshot", () => {
    const { client, socket, states } = harness({ guestToken: "tok:en" });
    /** @type {unknown[]} */
    const snapshots = [];
    client.on("snapshot", (s) => snapshots.push(s));
    client.connect();
    assert.equal(socket().url.pathname, "/ws/sessions/12/");
    assert.equal(socket().url.searchParams.get("guest"), "tok:en");
    assert.equal(socket().url.searchParams.has("since"), false);
    socket().accept();
    assert.equal(client.state.status, "connecting");
    socket().deliver(snapshot(40));
    assert.deepEqual(states, [
      { status: "idle" },
      { status: "connecting", attempt: 0 },
      { status: "live", resumed: false },
    ]);
    assert.equal(snapshots.length, 1);
    assert.equal(client.lastSeq, 40);
  });

  it("connects members without a token (their cookie) and only once", () => {
    const { client, sockets, socket } = harness();
    client.connect();
    client.connect();
    assert.equal(sockets.length, 1);
    assert.equal(socket().url.search, "");
  });
});

describe("after a drop", () => {
  it("resumes from the last seq it saw, and the replay reaches the page", () => {
    const { client, clock, sockets, socket, states, live } = harness();
    const first = live(10);
    first.deliver(viewport(11));
    first.deliver(viewport(14));
    first.drop(1006);
    assert.deepEqual(states.at(-1), { status: "reconnecting", attempt: 1, retryInMs: 375, code: 1006 });
    clock.advance(374);
    assert.equal(sockets.length, 1);
    clock.advance(1);
    assert.equal(sockets.length, 2);
    assert.equal(socket().url.searchParams.get("since"), "14");
    /** @type {number[]} */
    const seen = [];
    client.on("viewport", (e) => seen.push(e.seq));
    socket().accept();
    socket().deliver(hello(14, 17));
    socket().deliver(viewport(17));
    assert.deepEqual(states.at(-1), { status: "live", resumed: true });
    assert.deepEqual(seen, [17]);
    assert.equal(client.lastSeq, 17);
  });

  it("takes the fresh snapshot the server sends when it cannot replay, even at a lower seq", () => {
    const { client, clock, socket, live } = harness();
    live(500);
    socket().drop(1012); // a restart: the store was reset
    clock.advance(1000);
    socket().accept();
    /** @type {number[]} */
    const snapshots = [];
    client.on("snapshot", (s) => snapshots.push(s.last_seq));
    socket().deliver(snapshot(3));
    assert.deepEqual(snapshots, [3]);
    assert.equal(client.lastSeq, 3);
    /** @type {number[]} */
    const seen = [];
    client.on("viewport", (e) => seen.push(e.seq));
    socket().deliver(viewport(4));
    assert.deepEqual(seen, [4]);
  });

  it("backs off exponentially with jitter between half and all of the ceiling", () => {
    for (const [random, factor] of [
      [0, 0.5],
      [0.999999, 1],
    ]) {
      const { clock, socket, states, live } = harness({ random: () => random });
      live(10);
      /** @type {number[]} */
      const delays = [];
      for (let attempt = 0; attempt < 9; attempt += 1) {
        socket().drop(1006); // fails again before going live
        const state = states.at(-1);
        assert.equal(state?.status, "reconnecting");
        if (state?.status !== "reconnecting") return;
        delays.push(state.retryInMs);
        clock.advance(state.retryInMs);
        assert.deepEqual(states.at(-1), { status: "connecting", attempt: attempt + 1 });
        socket().accept();
      }
      const ceilings = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000];
      assert.deepEqual(delays, ceilings.map((c) => Math.round(c * factor)));
    }
  });

  it("starts the backoff over after a connection that stayed up", () => {
    const { clock, socket, states, live } = harness();
    live(10);
    socket().drop(1006);
    clock.advance(400);
    socket().accept();
    socket().drop(1006);
    assert.deepEqual(states.at(-1), { status: "reconnecting", attempt: 2, retryInMs: 750, code: 1006 });
    clock.advance(800);
    socket().accept();
    socket().deliver(hello(10));
    clock.advance(10000); // live for a while
    socket().drop(4408); // slow client: reconnect at once, from the start
    const state = states.at(-1);
    assert.deepEqual(state, { status: "reconnecting", attempt: 1, retryInMs: 375, code: 4408 });
  });

  it("retries at once when asked to", () => {
    const { client, sockets, socket, live } = harness();
    live(10);
    socket().drop(1006);
    client.retryNow();
    assert.equal(sockets.length, 2);
    assert.equal(client.state.status, "connecting");
  });

  it("gives up a socket that says nothing for 15 s and reconnects", () => {
    const { clock, sockets, states, live } = harness();
    const first = live(10);
    clock.advance(10000);
    first.deliver({ type: "pong", last_seq: 10 });
    clock.advance(14999);
    assert.equal(sockets.length, 1);
    clock.advance(1);
    assert.equal(first.closedBy?.code, CLOSE_SILENT);
    assert.equal(states.at(-1)?.status, "reconnecting");
    clock.advance(500);
    assert.equal(sockets.length, 2);
    assert.equal(sockets[1].url.searchParams.get("since"), "10");
  });

  it("ignores a late close or frame of a socket it already replaced", () => {
    const { client, clock, sockets, live } = harness();
    const first = live(10);
    clock.advance(15000); // given up as silent
    clock.advance(500);
    first.deliver(viewport(99));
    first.drop(4403);
    assert.equal(client.lastSeq, 10);
    assert.notEqual(client.state.status, "refused");
    assert.equal(sockets.length, 2);
  });
});

describe("refusals", () => {
  for (const [code, reason] of /** @type {const} */ ([
    [4403, "forbidden"],
    [4404, "not_found"],
    [4413, "too_large"],
    [4429, "abuse"],
  ])) {
    it(`stops for good on ${code} (${reason}), with a message for a person`, async () => {
      const { client, clock, sockets, socket, states } = harness();
      client.connect();
      socket().accept();
      const answer = client.answer(3, { choice: "1" });
      socket().drop(code);
      assert.deepEqual(states.at(-1), { status: "refused", reason, code });
      assert.ok(REFUSAL_MESSAGES[reason].length > 20);
      clock.advance(10 * 60 * 1000);
      assert.equal(sockets.length, 1);
      await assert.rejects(answer, { name: "CommandError", code: "refused" });
      assert.equal(client.send({ type: "hand", raised: true }), false);
    });
  }

  it("stops for good when the server speaks another protocol version", () => {
    const { client, clock, sockets, socket, states, logged } = harness();
    client.connect();
    socket().accept();
    socket().deliver({ ...snapshot(10), protocol: 2 });
    assert.deepEqual(states.at(-1), { status: "refused", reason: "outdated", code: null });
    assert.notEqual(socket().closedBy, null);
    clock.advance(60000);
    assert.equal(sockets.length, 1);
    assert.match(logged.join("\n"), /protocol 2/);
  });

  it("does not reconnect after the page closed it", () => {
    const { client, clock, sockets, live, states } = harness();
    const first = live(10);
    client.close();
    assert.deepEqual(states.at(-1), { status: "closed" });
    assert.equal(first.closedBy?.code, 1000);
    first.drop(1000);
    clock.advance(60000);
    assert.equal(sockets.length, 1);
  });

  it("starts from a fresh snapshot on resync()", () => {
    const { client, sockets, live } = harness();
    const first = live(10);
    first.deliver(viewport(12));
    client.resync();
    assert.equal(first.closedBy?.code, 1000);
    assert.equal(sockets.length, 2);
    assert.equal(sockets[1].url.searchParams.has("since"), false);
  });
});
