// host/emitter.ts: an emit calls the listeners registered when it began, in order, each once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Emitter } from "../../host/emitter.ts";

class E extends Emitter<{ x: (n: number) => void }> {
  fire(n: number): void {
    this.emit("x", n);
  }
}

test("a listener removed during an emit (once, off) is still called by it and no other is skipped; one added during it is not", () => {
  const e = new E();
  const calls: string[] = [];
  const late = (n: number): void => void calls.push(`late ${n}`);
  const b = (n: number): void => void calls.push(`b ${n}`);
  e.once("x", (n) => calls.push(`once ${n}`));
  e.on("x", (n) => {
    calls.push(`a ${n}`);
    e.off("x", b);
    e.on("x", late);
  });
  e.on("x", b);
  e.fire(1);
  assert.deepEqual(calls, ["once 1", "a 1", "b 1"]);
  calls.length = 0;
  e.fire(2);
  assert.deepEqual(calls, ["a 2", "late 2"]);
  assert.equal(e.listenerCount("x"), 3, "a, late and the late one a added again");
});
