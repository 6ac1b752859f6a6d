import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundError, Clock } from "../../host/time/clock.ts";

test("clock: callbacks run in time order, ties in insertion order", () => {
  const c = new Clock();
  const out: string[] = [];
  c.at(10, () => out.push("b1"));
  c.at(5, () => out.push("a"));
  c.at(10, () => out.push("b2"));
  c.after(10, () => out.push("b3"));
  c.at(0, () => c.after(10, () => out.push("b4 (scheduled later)")));
  c.runUntilIdle();
  assert.deepEqual(out, ["a", "b1", "b2", "b3", "b4 (scheduled later)"]);
  assert.equal(c.now, 10);
});

test("clock: cancelled timers do not run", () => {
  const c = new Clock();
  let ran = false;
  const t = c.after(5, () => (ran = true));
  c.cancel(t);
  assert.equal(c.peek(), null);
  c.runFor(10);
  assert.equal(ran, false);
  assert.equal(c.now, 10);
});

test("clock: runFor runs what is due and advances time exactly", () => {
  const c = new Clock(100);
  const seen: number[] = [];
  for (const d of [1, 50, 99, 100, 101]) c.after(d, () => seen.push(c.now));
  c.runFor(100);
  assert.deepEqual(seen, [101, 150, 199, 200]);
  assert.equal(c.now, 200);
  assert.equal(c.pending, 1);
});

test("clock: runUntil returns the time the predicate held", () => {
  const c = new Clock();
  let n = 0;
  for (let i = 1; i <= 5; i++) c.at(i * 10, () => n++);
  assert.equal(c.runUntil(() => n === 3), 30);
});

test("clock: runUntil throws when nothing is left to run", () => {
  const c = new Clock();
  assert.throws(() => c.runUntil(() => false, { what: "never" }), (e: unknown) => e instanceof BoundError && /never not met and nothing left/.test(e.message));
});

test("clock: runUntil throws at maxVirtualMs and leaves the clock at the bound", () => {
  const c = new Clock();
  const tick = (): void => void c.after(100, tick);
  tick();
  assert.throws(() => c.runUntil(() => false, { maxVirtualMs: 1000 }), /within 1000 virtual ms/);
  assert.equal(c.now, 1000);
});

test("clock: runUntil throws at maxSteps (a zero-delay loop cannot spin forever)", () => {
  const c = new Clock();
  const spin = (): void => void c.after(0, spin);
  spin();
  assert.throws(() => c.runUntil(() => false, { maxSteps: 500 }), /after 500 steps/);
  assert.throws(() => c.runFor(1, { maxSteps: 100 }), /more than 100 steps/);
});
