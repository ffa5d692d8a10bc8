// @ts-check
/**
 * Quiz answers are resent with the same client_id until the server
 * acknowledges them (docs/protocol.md, "Acks mean committed"), across
 * reconnects; refusals reject, `conflict` is tried again, and a newer answer
 * to the same question supersedes an older one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { harness, hello } from "./harness.js";

/** @param {string} clientId @returns {import("../../frontend/types/protocol.js").QuizAckEvent} */
function ack(clientId, liveQuestionId = 12) {
  return {
    type: "quiz_ack",
    live_question_id: liveQuestionId,
    client_id: clientId,
    revision: 1,
    accepted_at: "2026-11-22T03:30:04.117000+00:00",
  };
}

describe("quiz answers", () => {
  it("are resent with the same client_id until acked, across a reconnect", async () => {
    const { client, clock, socket, live } = harness();
    const first = live(10);
    const answered = client.answer(12, { choice: "84" });
    const frame = {
      type: "quiz_answer",
      live_question_id: 12,
      client_id: "answer-1",
      answer: { choice: "84" },
      ref: "answer-1",
    };
    assert.deepEqual(first.sentOf("quiz_answer"), [frame]);
    clock.advance(5000); // no ack yet: sent again
    assert.deepEqual(first.sentOf("quiz_answer"), [frame, frame]);
    first.drop(1012); // the server restarts
    clock.advance(500);
    assert.deepEqual(socket().sentOf("quiz_answer"), []);
    socket().accept();
    socket().deliver(hello(10));
    assert.deepEqual(socket().sentOf("quiz_answer"), [frame]); // at once on the new socket
    socket().deliver(ack("answer-1"));
    assert.deepEqual(await answered, ack("answer-1"));
    const second = socket();
    clock.advance(30000); // (the silent socket is replaced meanwhile)
    socket().accept();
    socket().deliver(hello(10));
    assert.equal(second.sentOf("quiz_answer").length, 1);
    assert.deepEqual(socket().sentOf("quiz_answer"), []);
  });

  it("are kept while offline and sent once live", async () => {
    const { client, clock, socket, live } = harness();
    live(10);
    socket().drop(1006);
    const answered = client.answer(12, { value: 7.4 });
    clock.advance(500);
    socket().accept();
    socket().deliver(hello(10));
    assert.equal(socket().sentOf("quiz_answer").length, 1);
    socket().deliver(ack("answer-1"));
    assert.equal((await answered).client_id, "answer-1");
  });

  it("reject with the server's refusal, which does not reach the page's error handlers", async () => {
    const { client, live } = harness();
    const socket = live(10);
    /** @type {unknown[]} */
    const errors = [];
    client.on("error", (e) => errors.push(e));
    const answered = client.answer(12, { choice: "84" });
    socket.deliver({ type: "error", code: "closed", message: "the question is closed", ref: "answer-1" });
    await assert.rejects(answered, { name: "CommandError", code: "closed" });
    assert.deepEqual(errors, []);
    socket.deliver({ type: "error", code: "rate_limited", message: "slow down", ref: null });
    assert.equal(errors.length, 1);
  });

  it("are sent again after a conflict", async () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    const answered = client.answer(12, { choice: "84" });
    socket.deliver({ type: "error", code: "conflict", message: "send again", ref: "answer-1" });
    clock.advance(5000);
    assert.equal(socket.sentOf("quiz_answer").length, 2);
    socket.deliver(ack("answer-1"));
    await answered;
  });

  it("supersede an unacknowledged older answer to the same question", async () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    const older = client.answer(12, { choice: "84" });
    const other = client.answer(13, { x: 1, y: 2 });
    const newer = client.answer(12, { choice: "85" });
    await assert.rejects(older, { code: "superseded" });
    clock.advance(5000);
    const resent = socket.sentOf("quiz_answer").slice(3).map((f) => f.client_id);
    assert.deepEqual(resent, ["answer-2", "answer-3"]);
    socket.deliver(ack("answer-3"));
    socket.deliver(ack("answer-2", 13));
    assert.equal((await newer).client_id, "answer-3");
    assert.equal((await other).client_id, "answer-2");
  });

  it("sent with send() are resent too", () => {
    const { client, clock, live } = harness();
    const socket = live(10);
    client.send({ type: "quiz_answer", live_question_id: 12, client_id: "mine", answer: { text: "a" } });
    clock.advance(5000);
    assert.deepEqual(socket.sentOf("quiz_answer").map((f) => f.client_id), ["mine", "mine"]);
  });

  it("are rejected when the page closes the connection", async () => {
    const { client, live } = harness();
    live(10);
    const answered = client.answer(12, { choice: "84" });
    client.close();
    await assert.rejects(answered, { code: "closed" });
    await assert.rejects(client.answer(12, { choice: "84" }), { code: "closed" });
  });
});
