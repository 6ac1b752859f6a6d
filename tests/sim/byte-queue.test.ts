// host/stack/byte-queue.ts: the bytes written to a connection that its send ring has not taken yet.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ByteQueue } from "../../host/stack/byte-queue.ts";

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

test("ByteQueue: a push into an empty queue borrows the caller's array (no copy while it is taken whole)", () => {
  const q = new ByteQueue();
  const a = bytes(1, 2, 3, 4);
  q.push(a);
  assert.ok(q.borrowing);
  assert.equal(q.peek().buffer, a.buffer, "a view of the caller's own bytes");
  q.consume(4);
  assert.equal(q.length, 0);
  assert.ok(!q.borrowing, "nothing of the caller's array is held once it is consumed");
});

test("ByteQueue: own() copies what is left of a borrowed array; the caller may then change it", () => {
  const q = new ByteQueue();
  const a = bytes(1, 2, 3, 4, 5);
  q.push(a);
  q.consume(2);
  q.own();
  assert.ok(!q.borrowing);
  a.fill(0);
  assert.deepEqual([...q.peek()], [3, 4, 5]);
});

test("ByteQueue: a push behind borrowed bytes copies both, in order", () => {
  const q = new ByteQueue();
  const a = bytes(1, 2, 3);
  q.push(a);
  q.consume(1);
  const b = bytes(4, 5);
  q.push(b);
  a.fill(0);
  b.fill(0);
  assert.deepEqual([...q.peek()], [2, 3, 4, 5]);
  q.consume(4);
  assert.equal(q.length, 0);
});

test("ByteQueue: owned bytes grow, compact and stay in order across many pushes and consumes", () => {
  const q = new ByteQueue();
  const want: number[] = [];
  let next = 0;
  for (let round = 0; round < 200; round++) {
    const chunk = Uint8Array.from({ length: 1 + ((round * 37) % 900) }, () => next++ & 255);
    q.push(chunk);
    want.push(...chunk);
    q.own();
    chunk.fill(0);
    const n = Math.min(q.length, (round * 53) % 700);
    assert.deepEqual([...q.peek().subarray(0, n)], want.slice(0, n));
    q.consume(n);
    want.splice(0, n);
  }
  assert.deepEqual([...q.peek()], want);
});
