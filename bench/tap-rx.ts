// `node --import tsx bench/tap-rx.ts [MB] [--rounds N]`: the Node host's receive path alone, as
// `petrel serve` runs it on a TAP (server profile, a batched link, RealClock, the discard service
// over the net-compatible Socket), with the kernel and the TAP replaced by an in-process link that
// hands up batches of 32 prebuilt full-size data segments of one connection, as TapLink does after
// one readBatch. No system call, no other process: the CPU time per MB it prints (and the ABI calls,
// events and frames it counts) depend on this process's own work only, so a change to host/ can be
// compared before/after on a loaded machine far more steadily than with bench:tap. Frames are built
// outside the measured intervals.
import { startServices } from "../host/apps/services.ts";
import { Handlers, type FrameHandler, type FrameHandlerOptions, type Link } from "../host/link/link.ts";
import { PetrelStack } from "../host/node/net.ts";
import { RealClock } from "../host/node/realtime.ts";
import { buildArpFrame, buildTcpFrame } from "../host/packet/packet.ts";

const MB = 1 << 20;
const args = process.argv.slice(2);
const mb = Number(args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--rounds" && args[i - 1] !== "--warm") ?? 100);
const rounds = args.includes("--rounds") ? Number(args[args.indexOf("--rounds") + 1]) : 5;
const BATCH = 32;
const MSS = 1460;
const PEER = { ip: "198.18.0.1", mac: "02:00:00:00:00:01" };
const US = { ip: "198.18.0.2", mac: "02:00:00:00:00:02" };

/** A link that hands up what the bench gives it in batches and keeps what the stack sends. */
class BatchLink implements Link {
  private handlers = new Handlers();
  private batchEnd: (() => void)[] = [];
  /** TCP segments the stack sent: [flags, seq, ack, window]. */
  sent: { flags: number; seq: number; ack: number; win: number }[] = [];
  txFrames = 0;
  arp: Uint8Array[] = [];
  send(frame: Uint8Array): void {
    this.sendFrom(frame.buffer, frame.byteOffset, frame.length);
  }
  sendFrom(buffer: ArrayBufferLike, offset: number, length: number): void {
    this.txFrames++;
    const f = new Uint8Array(buffer, offset, length);
    const type = (f[12]! << 8) | f[13]!;
    if (type === 0x0806) {
      this.arp.push(buildArpFrame({ op: "reply", senderMac: PEER.mac, senderIp: PEER.ip, targetMac: US.mac, targetIp: US.ip }));
      return;
    }
    if (type !== 0x0800 || f[23] !== 6 || this.sent.length > 64) return; // keep the handshake's
    const t = 14 + (f[14]! & 15) * 4;
    const v = new DataView(buffer, offset, length);
    this.sent.push({ flags: f[t + 13]!, seq: v.getUint32(t + 4), ack: v.getUint32(t + 8), win: v.getUint16(t + 14) });
  }
  onFrame(cb: FrameHandler, opts?: FrameHandlerOptions): void {
    this.handlers.add(cb, opts);
  }
  onBatchEnd(cb: () => void): void {
    this.batchEnd.push(cb);
  }
  endBurst(): void {}
  /** Hand up one batch as TapLink.drainBatches does: each frame, then the batch-end callbacks. */
  deliver(frames: Uint8Array[]): void {
    for (const f of frames) this.handlers.emit(f);
    for (const cb of this.batchEnd) cb();
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function run(bytes: number): Promise<Record<string, number>> {
  const link = new BatchLink();
  const clock = new RealClock();
  const petrel = new PetrelStack({ name: "rx", ip: `${US.ip}/24`, mac: US.mac, link, clock, profile: "server", seed: 1 });
  if (args.includes("--alloc-zeroed")) petrel.stack.core.alloc = (n) => new Uint8Array(n);
  startServices(petrel, ["discard"]);
  let received = 0;
  petrel.servers.forEach((s) => s.on("connection", (sock: import("node:events").EventEmitter) => sock.on("data", (d: Uint8Array) => void (received += d.length))));
  const base = { src: PEER.ip, dst: US.ip, srcMac: PEER.mac, dstMac: US.mac, sport: 40000, dport: 9 };
  link.deliver([buildTcpFrame({ ...base, seq: 1000, flags: "S", win: 65535, options: [{ kind: "mss", value: MSS }] })]);
  for (let i = 0; i < 4 && link.arp.length; i++) {
    link.deliver(link.arp.splice(0));
    await turn();
  }
  const synAck = link.sent.find((s) => s.flags === 0x12);
  if (!synAck) throw new Error("no SYN-ACK");
  const ack = (synAck.seq + 1) >>> 0;
  let seq = 1001;
  link.deliver([buildTcpFrame({ ...base, seq, ack, flags: ".", win: 65535 })]);
  await turn();
  const payload = new Uint8Array(MSS).map((_, i) => i & 0xff);
  const counts: Record<string, number> = {};
  const x = petrel.stack.core.x as unknown as Record<string, unknown>;
  const wrapped: Record<string, unknown> = { ...x };
  for (const [k, v] of Object.entries(x)) {
    if (typeof v !== "function") continue;
    const f = v as (...a: number[]) => number;
    wrapped[k] = (...a: number[]): number => {
      counts[k] = (counts[k] ?? 0) + 1;
      return f(...a);
    };
  }
  const counting = args.includes("--count");
  if (counting) (petrel.stack.core as unknown as { x: unknown }).x = wrapped;
  let cpu = 0;
  let frames = 0;
  const tx0 = link.txFrames;
  // one template (sequence number 0), patched in place per frame: the link's handler copies each
  // frame into the core before the next is handed up, so the bench allocates nothing per frame
  const template = buildTcpFrame({ ...base, seq: 0, ack, flags: "P.", win: 65535, payload });
  const T = 14 + 20;
  const sum0 = ~((template[T + 16]! << 8) | template[T + 17]!) & 0xffff;
  const slots = Array.from({ length: BATCH }, () => template.slice());
  for (let sent = 0; sent < bytes; ) {
    const batch: Uint8Array[] = [];
    for (let i = 0; i < BATCH && sent < bytes; i++, sent += MSS) {
      const f = slots[i]!;
      f[T + 4] = seq >>> 24;
      f[T + 5] = (seq >>> 16) & 0xff;
      f[T + 6] = (seq >>> 8) & 0xff;
      f[T + 7] = seq & 0xff;
      let c = sum0 + (seq >>> 16) + (seq & 0xffff); // RFC 1624: the sequence words were 0
      c = (c & 0xffff) + (c >>> 16);
      c = (c & 0xffff) + (c >>> 16);
      const ck = ~c & 0xffff;
      f[T + 16] = ck >>> 8;
      f[T + 17] = ck & 0xff;
      batch.push(f);
      seq = (seq + MSS) >>> 0;
    }
    frames += batch.length;
    const t0 = process.cpuUsage();
    link.deliver(batch);
    await turn(); // the app's ticks ('data', the stream's reads) and the poll timers run here
    const d = process.cpuUsage(t0);
    cpu += d.user + d.system;
  }
  const expected = Math.ceil(bytes / MSS) * MSS;
  for (let i = 0; i < 100 && received < expected; i++) await turn();
  const drops = Object.entries(petrel.stack.counters()).filter(([k, v]) => k.startsWith("DROP_") && v > 0);
  if (received !== expected) throw new Error(`received ${received} of ${expected} bytes; drops ${JSON.stringify(drops)}`);
  petrel.close?.();
  clock.stop();
  const perMb = MB / expected;
  const out: Record<string, number> = { cpuMsPerMB: cpu / 1000 / (expected / MB), framesPerMB: Math.round(frames * perMb), txFramesPerMB: Math.round((link.txFrames - tx0) * perMb) };
  if (counting) for (const [k, v] of Object.entries(counts)) out[`${k}PerMB`] = Math.round(v * perMb);
  out.mergedReadable = (petrel.stack as unknown as { mergedReadable?: number }).mergedReadable ?? 0;
  return out;
}

const warmMb = args.includes("--warm") ? Number(args[args.indexOf("--warm") + 1]) : 16;
await run(warmMb * MB); // warm-up: the JIT compiles the path measured
const results: Record<string, number>[] = [];
for (let r = 0; r < rounds; r++) results.push(await run(mb * MB));
const cpu = results.map((r) => r.cpuMsPerMB!).sort((a, b) => a - b);
console.log(JSON.stringify({ mb, rounds, cpuMsPerMB: cpu.map((c) => +c.toFixed(3)), median: +cpu[Math.floor(cpu.length / 2)]!.toFixed(3), last: results.at(-1) }));
process.exit(0);
