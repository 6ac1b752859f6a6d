// Hostile input never traps the core: seeded mutations of real frames, random bytes, and random
// arguments to every ABI call. Each bad frame must come back as a counted drop (or be handled),
// memory must not grow, and the stack must still work afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Prng } from "../../host/time/prng.ts";
import { SimNet } from "../../host/sim/sim.ts";
import type { Stack } from "../../host/stack/stack.ts";

/** A real conversation to take frames from: ARP, handshake, data with PSH, FIN, RST. */
function sampleFrames(): Uint8Array[] {
  const net = new SimNet({ seed: 404 });
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  server.listen(7, 4, (c) => c.on("data", (d) => c.write(d)).on("end", () => c.close()));
  const c = client.connect("198.18.0.1", 7);
  c.write("fuzz me, then echo me");
  c.end();
  client.connect("198.18.0.1", 99);                     // refused: an RST in the sample
  net.run(2000);
  net.hosts[0]!.inject(new Uint8Array(0));
  return net.frames.map((f) => f.frame);
}

function mutate(rng: Prng, f: Uint8Array): Uint8Array {
  const kind = rng.int(6);
  let b = f.slice();
  if (kind === 0) {                                      // flip 1–8 random bytes
    for (let i = 0, n = 1 + rng.int(8); i < n; i++) b[rng.int(b.length)] = rng.int(256);
  } else if (kind === 1) {                               // truncate anywhere
    b = b.subarray(0, rng.int(b.length + 1)).slice();
  } else if (kind === 2) {                               // extend with garbage, maybe past the MTU
    const extra = new Uint8Array(rng.int(1600));
    for (let i = 0; i < extra.length; i++) extra[i] = rng.int(256);
    const out = new Uint8Array(b.length + extra.length);
    out.set(b);
    out.set(extra, b.length);
    b = out;
  } else if (kind === 3 && b.length > 34) {              // IPv4 header fields: version/IHL, total length, frag
    const at = [14, 16, 17, 20, 21, 22, 23][rng.int(7)]!;
    b[at] = rng.int(256);
  } else if (kind === 4 && b.length > 54) {              // TCP data offset, flags, options area
    const at = 34 + [12, 13, 20, 21, 22, 23][rng.int(6)]!;
    if (at < b.length) b[at] = rng.int(256);
  } else {                                               // random bytes of a random length
    b = new Uint8Array(rng.int(1600));
    for (let i = 0; i < b.length; i++) b[i] = rng.int(256);
  }
  return b;
}

function server(net: SimNet): Stack {
  const s = net.host({ name: "target", ip: "198.18.0.1" });
  s.listen(7, 4, (c) => c.on("data", (d) => c.write(d)).on("end", () => c.close()));
  return s;
}

test("fuzz: 20 000 mutated and random frames never trap; each is handled or a counted drop", () => {
  const samples = sampleFrames();
  const rng = new Prng(2026, 1);
  const net = new SimNet({ seed: 5 });
  const target = server(net);
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  const pages = target.core.memoryPages();
  let dropped = 0;
  for (let i = 0; i < 20_000; i++) {
    const frame = mutate(rng, samples[rng.int(samples.length)]!);
    const rc = target.inject(frame);                     // a trap would throw here
    assert.ok(Number.isInteger(rc) && rc <= 0, `rx returned ${rc}`);
    if (rc < 0) dropped++;
    if (i % 1000 === 0) net.run(50);                     // let timers run between bursts
  }
  assert.equal(target.core.memoryPages(), pages);
  const c = target.counters();
  const drops = Object.entries(c).filter(([k]) => k.startsWith("DROP_")).reduce((a, [, v]) => a + v, 0);
  assert.ok(dropped > 10_000, `${dropped} frames reported as dropped`);
  assert.ok(drops >= dropped, "every reported drop is counted");
  assert.ok(c.DROP_IP_CHECKSUM! > 0 && c.DROP_TCP_MALFORMED! + c.DROP_TCP_CHECKSUM! > 0 && c.DROP_ETH_TOO_LONG! > 0);
  // still a working stack
  net.runUntilIdle({ maxVirtualMs: 1_000_000, maxSteps: 1_000_000 });
  const conn = client.connect("198.18.0.1", 7);
  let got = "";
  conn.on("data", (d) => (got += Buffer.from(d).toString()));
  conn.write("still alive");
  net.runUntil(() => got === "still alive", { maxVirtualMs: 30_000 });
});

test("fuzz: random handles, pointers and lengths to every ABI call return error codes, never trap", () => {
  const net = new SimNet({ seed: 6 });
  const target = server(net);
  const x = target.core.x;
  const rng = new Prng(7, 2);
  const pages = target.core.memoryPages();
  const memBytes = x.memory.buffer.byteLength;
  const anyInt = (): number => [0, -1, 1, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, -0x80000000, memBytes, memBytes - 1, rng.u32() | 0][rng.int(14)]!;
  const calls: [string, () => number][] = [
    ["tcp_listen", () => x.tcp_listen(anyInt(), anyInt())],
    ["tcp_accept", () => x.tcp_accept(anyInt())],
    ["tcp_connect", () => x.tcp_connect(anyInt(), anyInt(), anyInt(), 0)],
    ["tcp_send", () => x.tcp_send(anyInt(), anyInt(), anyInt(), 0)],
    ["tcp_recv", () => x.tcp_recv(anyInt(), anyInt(), anyInt(), 0)],
    ["tcp_shutdown", () => x.tcp_shutdown(anyInt(), 0)],
    ["tcp_close", () => x.tcp_close(anyInt(), 0)],
    ["tcp_abort", () => x.tcp_abort(anyInt(), 0)],
    ["tcp_state", () => x.tcp_state(anyInt())],
    ["tcp_info", () => x.tcp_info(anyInt(), anyInt())],
    ["tcp_readable", () => x.tcp_readable(anyInt())],
    ["counter", () => x.counter(anyInt())],
    ["mem_region_size", () => x.mem_region_size(anyInt())],
    ["config", () => x.config(anyInt())],
    ["rx", () => x.rx(anyInt(), 0)],
  ];
  for (let i = 0; i < 20_000; i++) {
    const [name, call] = calls[rng.int(calls.length)]!;
    let rc: number;
    try {
      rc = call();
    } catch (e) {
      assert.fail(`${name} trapped: ${(e as Error).message}`);
    }
    assert.ok(Number.isInteger(rc), `${name} returned ${rc}`);
    while (x.ev_pop() !== 0);                            // keep the event ring drained
  }
  assert.equal(target.core.memoryPages(), pages);
  // a send from outside the io buffer is refused, not copied
  assert.equal(target.core.errorName(x.tcp_send(1, 0, 16, 0)), "EBADF");
});
