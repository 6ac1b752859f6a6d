// The Stack's receive path under bursts (a TAP read hands up to 32 frames at once): READABLE
// events of one connection merge into one read, in order, without losing or reordering data.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { wasmPathFor } from "../../host/node/files.ts";
import { Handlers, type FrameHandler, type FrameHandlerOptions, type Link } from "../../host/link/link.ts";
import { buildArpFrame, buildTcpFrame, type TcpFields } from "../../host/packet/packet.ts";
import { Stack, type Conn } from "../../host/stack/stack.ts";
import { Clock } from "../../host/time/clock.ts";

const skip = existsSync(wasmPathFor()) ? false : "build/petrel.wasm not built (npm run build)";
const DUT = { ip: "198.18.0.1", mac: "02:00:00:00:00:01" };
const PEER = { ip: "198.18.0.2", mac: "02:00:00:00:00:02" };

/** A link that hands up bursts of frames and then its batch-end callbacks, as TapLink does. */
class BurstLink implements Link {
  private handlers = new Handlers();
  private ends: (() => void)[] = [];
  sent: Uint8Array[] = [];
  send(frame: Uint8Array): void {
    this.sent.push(frame.slice());
  }
  onFrame(cb: FrameHandler, opts?: FrameHandlerOptions): void {
    this.handlers.add(cb, opts);
  }
  onBatchEnd(cb: () => void): void {
    this.ends.push(cb);
  }
  burst(frames: Uint8Array[]): void {
    for (const f of frames) this.handlers.emit(f);
    for (const cb of this.ends) cb();
  }
}

/** A dut listening on port 9 with `ports.length` connections from the peer, established. */
function setup(ports: number[], profile?: "server"): { clock: Clock; link: BurstLink; stack: Stack; conns: Map<number, Conn>; isn: Map<number, number>; seg: (port: number, f: Partial<TcpFields>) => Uint8Array; burst: (frames: Uint8Array[]) => void } {
  const clock = new Clock(0);
  const link = new BurstLink();
  const stack = new Stack({ name: "dut", ip: DUT.ip, mac: DUT.mac, prefix: 24, seed: 3, clock, link, core: profile ? { profile } : undefined });
  const burst = (frames: Uint8Array[]): void => {
    clock.after(0, () => link.burst(frames)); // one scheduler step, as one TAP wake-up
    clock.runFor(0);
  };
  burst([buildArpFrame({ op: "request", senderMac: PEER.mac, senderIp: PEER.ip, targetIp: DUT.ip })]);
  const conns = new Map<number, Conn>();
  stack.listen(9, 8, (c) => conns.set(Number(c.remote.split(":")[1]), c));
  const isn = new Map<number, number>();
  const seg = (port: number, f: Partial<TcpFields>): Uint8Array =>
    buildTcpFrame({ src: PEER.ip, dst: DUT.ip, srcMac: PEER.mac, dstMac: DUT.mac, sport: port, dport: 9, win: 65535, ...f });
  for (const port of ports) {
    link.sent = [];
    burst([seg(port, { seq: 1000, flags: "S" })]);
    const synAck = link.sent.at(-1)!;
    const theirs = new DataView(synAck.buffer, synAck.byteOffset).getUint32(14 + 20 + 4);
    isn.set(port, theirs);
    burst([seg(port, { seq: 1001, ack: theirs + 1, flags: "." })]);
  }
  assert.equal(conns.size, ports.length, "every connection accepted");
  return { clock, link, stack, conns, isn, seg, burst };
}

const bytes = (n: number, salt: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + salt) & 0xff);

/** The peer's data segments on `port` carrying `parts` one after another from its first byte. */
function dataFrames(seg: (port: number, f: Partial<TcpFields>) => Uint8Array, isn: Map<number, number>, port: number, parts: Uint8Array[]): Uint8Array[] {
  let seq = 1001;
  return parts.map((p) => {
    const f = seg(port, { seq, ack: isn.get(port)! + 1, flags: "P.", payload: p });
    seq += p.length;
    return f;
  });
}

/** Counts the stack's tcp_recv calls from now on (the exports object is frozen: through a copy). */
function countRecv(stack: Stack): { calls: number } {
  const n = { calls: 0 };
  const x = stack.core.x;
  (stack.core as { x: typeof x }).x = { ...x, tcp_recv: (...a: Parameters<typeof x.tcp_recv>) => (n.calls++, x.tcp_recv(...a)) };
  return n;
}

test("a burst of data segments of one connection is dispatched as one READABLE and read once, every byte in order", { skip }, () => {
  const { stack, conns, isn, seg, burst } = setup([40000]);
  const conn = conns.get(40000)!;
  const chunks: Uint8Array[] = [];
  conn.on("data", (d) => chunks.push(d));
  const readable: number[] = [];
  stack.on("event", (e) => e.name === "READABLE" && readable.push(e.handle));
  const parts = Array.from({ length: 8 }, (_, i) => bytes(1000, i));
  const frames = dataFrames(seg, isn, 40000, parts);
  const recv = countRecv(stack);
  burst(frames);
  assert.deepEqual(readable, [conn.handle], "one READABLE for the burst");
  assert.equal(stack.mergedReadable, 7, "the other seven merged into it");
  assert.equal(chunks.length, 1, "one 'data' chunk");
  assert.deepEqual(chunks[0], Uint8Array.from(parts.flatMap((p) => [...p])), "the bytes of the eight segments, in order");
  assert.equal(recv.calls, 1, "one tcp_recv (the chunk; READABLE stops once nothing is readable)");
});

test("READABLEs of connections interleaved in one burst merge per connection; each connection's data stays whole and in order", { skip }, () => {
  const ports = [40001, 40002, 40003];
  const { stack, conns, isn, seg, burst } = setup(ports);
  const got = new Map<number, number[]>(ports.map((p) => [p, []]));
  for (const p of ports) conns.get(p)!.on("data", (d) => got.get(p)!.push(...d));
  let readable = 0;
  stack.on("event", (e) => void (e.name === "READABLE" && readable++));
  const seqs = new Map(ports.map((p) => [p, 1001]));
  const sent = new Map<number, number[]>(ports.map((p) => [p, []]));
  const frames: Uint8Array[] = [];
  for (let round = 0; round < 4; round++) {
    for (const p of ports) {
      const data = bytes(500, p + round);
      frames.push(seg(p, { seq: seqs.get(p)!, ack: isn.get(p)! + 1, flags: "P.", payload: data }));
      seqs.set(p, seqs.get(p)! + data.length);
      sent.get(p)!.push(...data);
    }
  }
  burst(frames);
  assert.equal(readable, 3, "one READABLE per connection");
  assert.equal(stack.mergedReadable, 9);
  for (const p of ports) assert.deepEqual(got.get(p), sent.get(p), `connection ${p}: every byte, in order`);
});

test("another event of the connection ends a run of READABLEs: data, then FIN, reach the app as 'data' then 'end'", { skip }, () => {
  const { stack, conns, isn, seg, burst } = setup([40004]);
  const conn = conns.get(40004)!;
  const order: string[] = [];
  conn.on("data", (d) => order.push(`data ${d.length}`));
  conn.on("end", () => order.push("end"));
  const names: string[] = [];
  stack.on("event", (e) => e.handle === conn.handle && names.push(e.name));
  const ack = isn.get(40004)! + 1;
  burst([
    seg(40004, { seq: 1001, ack, flags: "P.", payload: bytes(300, 1) }),
    seg(40004, { seq: 1301, ack, flags: "P.", payload: bytes(300, 2) }),
    seg(40004, { seq: 1601, ack, flags: "F." }),
  ]);
  assert.deepEqual(names.filter((n) => n === "READABLE" || n === "EOF"), ["READABLE", "EOF"]);
  assert.deepEqual(order, ["data 600", "end"]);
});

test("everything readable is handed up as one chunk even when it is larger than the io buffer: several tcp_recv calls, one 'data', every byte in order", { skip }, () => {
  const { stack, conns, isn, seg, burst } = setup([40005], "server");
  const conn = conns.get(40005)!;
  const io = stack.core.ioBufferSize();
  const chunks: Uint8Array[] = [];
  conn.on("data", (d) => chunks.push(d));
  const parts = Array.from({ length: 40 }, (_, i) => bytes(1000, i));
  assert.ok(40 * 1000 > 2 * io, "more than two io buffers' worth");
  const frames = dataFrames(seg, isn, 40005, parts);
  const recv = countRecv(stack);
  burst(frames);
  assert.equal(chunks.length, 1, "one 'data' chunk");
  assert.deepEqual(chunks[0], Uint8Array.from(parts.flatMap((p) => [...p])));
  assert.equal(recv.calls, Math.ceil(40_000 / io), "one tcp_recv per io buffer's worth");
});

test("the frames of one batch are received at one time, the clock read at its first frame; the next batch reads it again", { skip }, () => {
  const { clock, stack, conns, isn, seg, burst } = setup([40006]);
  const ack = isn.get(40006)! + 1;
  // a clock that moves on 1 ms at every reading
  let t = clock.now;
  Object.defineProperty(clock, "now", { get: () => (t += 1), set: (v: number) => void (t = v), configurable: true });
  const x = stack.core.x;
  const times: number[] = [];
  (stack.core as { x: typeof x }).x = { ...x, rx: (len: number, now: number) => (times.push(now), x.rx(len, now)) };
  burst([1001, 1101, 1201].map((seq, i) => seg(40006, { seq, ack, flags: "P.", payload: bytes(100, i) })));
  burst([1301, 1401].map((seq, i) => seg(40006, { seq, ack, flags: "P.", payload: bytes(100, i) })));
  assert.equal(times.length, 5);
  assert.equal(new Set(times.slice(0, 3)).size, 1, "one time for the first batch's three frames");
  assert.equal(new Set(times.slice(3)).size, 1, "one for the second's two");
  assert.ok(times[3]! > times[0]!, "the second batch read the clock again");
  assert.equal(conns.get(40006)!.bytesRead, 500);
});
