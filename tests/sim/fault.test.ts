import assert from "node:assert/strict";
import { test } from "node:test";
import { Clock } from "../../host/time/clock.ts";
import { ChannelLink } from "../../host/link/channel.ts";
import { FaultLink, type FaultOptions } from "../../host/link/fault.ts";
import { Switch } from "../../host/link/switch.ts";
import { buildTcpFrame } from "../../host/packet/packet.ts";
import { Prng } from "../../host/time/prng.ts";

const frame = (i: number): Uint8Array =>
  buildTcpFrame({ srcMac: "02:00:00:00:00:02", dstMac: "02:00:00:00:00:01", src: "198.18.0.2", dst: "198.18.0.1", sport: 1000, dport: 7, seq: i, flags: "P.", payload: `frame ${i}` });

test("prng: same seed same sequence, different seed or stream different", () => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43), d = new Prng(42, 1);
  const sa = Array.from({ length: 8 }, () => a.u32());
  assert.deepEqual(sa, Array.from({ length: 8 }, () => b.u32()));
  assert.notDeepEqual(sa, Array.from({ length: 8 }, () => c.u32()));
  assert.notDeepEqual(sa, Array.from({ length: 8 }, () => d.u32()));
  const p = new Prng("seed");
  for (let i = 0; i < 1000; i++) {
    const x = p.next();
    assert.ok(x >= 0 && x < 1);
  }
});

/** Send 200 frames through a FaultLink into a ChannelLink's far end; return what arrived and when. */
function run(opts: FaultOptions): { arrived: string[]; stats: FaultLink["stats"] } {
  const clock = new Clock();
  const sw = new Switch(clock, { delayMs: 0 });
  const a = sw.port(), b = sw.port();
  const f = new FaultLink(a, clock, opts);
  const arrived: string[] = [];
  b.onFrame((fr) => arrived.push(`${clock.now.toFixed(3)}:${Buffer.from(fr).toString("hex")}`));
  for (let i = 0; i < 200; i++) clock.at(i, () => f.send(frame(i)));
  clock.runUntilIdle();
  return { arrived, stats: f.stats };
}

test("fault link: same seed → identical decisions and deliveries", () => {
  const opts = { seed: 7, loss: 0.1, duplicate: 0.05, reorder: 0.05, corrupt: 0.05, jitterMs: 3 };
  const x = run(opts), y = run(opts);
  assert.deepEqual(x.arrived, y.arrived);
  assert.deepEqual(x.stats, y.stats);
  const z = run({ ...opts, seed: 8 });
  assert.notDeepEqual(x.arrived, z.arrived);
});

test("fault link: decisions of one frame do not depend on the other settings", () => {
  const clock = new Clock();
  const mk = (o: Partial<FaultOptions>): FaultLink => new FaultLink(new ChannelLink(clock), clock, { seed: 3, ...o });
  const lossOnly = mk({ loss: 0.3 }), lossAndMore = mk({ loss: 0.3, duplicate: 0.5, corrupt: 0.5 });
  for (let i = 0; i < 100; i++) assert.equal(lossOnly.decide("tx", frame(i)).lost, lossAndMore.decide("tx", frame(i)).lost);
});

test("fault link: rates are roughly the configured probabilities", () => {
  const { stats } = run({ seed: 11, loss: 0.2 });
  assert.equal(stats.tx.frames, 200);
  assert.ok(stats.tx.lost > 20 && stats.tx.lost < 60, `lost ${stats.tx.lost}`);
  const none = run({ seed: 11 });
  assert.equal(none.arrived.length, 200);
});

test("fault link: corruption flips exactly one byte past the Ethernet header", () => {
  const clock = new Clock();
  const ch = new ChannelLink(clock);
  const f = new FaultLink(ch, clock, { seed: 5, corrupt: 1 });
  const orig = frame(1);
  f.send(orig);
  const [out] = ch.drain();
  assert.ok(out);
  const diff = [...orig].map((v, i) => (v !== out.frame[i] ? i : -1)).filter((i) => i >= 0);
  assert.equal(diff.length, 1);
  assert.ok(diff[0]! >= 14);
  assert.ok(out.parsed.tcp ? !out.parsed.tcp.checksumOk || !out.parsed.ip!.checksumOk : true);
});

test("fault link: duplicate and delay, scripted drop, both directions", () => {
  const clock = new Clock();
  const ch = new ChannelLink(clock);
  const f = new FaultLink(ch, clock, { seed: 1, duplicate: 1, delayMs: 5, rx: { duplicate: 0, delayMs: 2 }, drop: (_f, dir, i) => dir === "tx" && i === 1 });
  f.send(frame(0));
  f.send(frame(1)); // scripted drop
  assert.equal(ch.queued, 0);
  clock.runFor(5);
  assert.deepEqual(ch.drain().map((c) => c.timeMs), [5, 5]);
  const got: number[] = [];
  f.onFrame(() => got.push(clock.now));
  ch.inject(frame(2));
  clock.runUntilIdle();
  assert.deepEqual(got, [7]);
  assert.equal(f.stats.tx.lost, 1);
  assert.equal(f.stats.rx.frames, 1);
});

test("switch: learning, flooding, per-port delay, never synchronous", () => {
  const clock = new Clock();
  const sw = new Switch(clock, { delayMs: 1 });
  const [a, b, c] = [sw.port({ name: "a" }), sw.port({ name: "b", delayMs: 3 }), sw.port({ name: "c" })];
  const got: string[] = [];
  for (const p of [a, b, c]) p.onFrame(() => got.push(`${p.name}@${clock.now}`));
  const fromTo = (src: string, dst: string): Uint8Array => {
    const f = new Uint8Array(60);
    f.set(Buffer.from(dst.replaceAll(":", ""), "hex"), 0);
    f.set(Buffer.from(src.replaceAll(":", ""), "hex"), 6);
    return f;
  };
  a.send(fromTo("02:00:00:00:00:0a", "02:00:00:00:00:0b")); // unknown: flooded
  assert.deepEqual(got, []);
  clock.runUntilIdle();
  assert.deepEqual(got.sort(), ["b@4", "c@2"]);
  got.length = 0;
  b.send(fromTo("02:00:00:00:00:0b", "02:00:00:00:00:0a")); // a was learned
  clock.runUntilIdle();
  assert.deepEqual(got, ["a@8"]);
});
