// The SYN-flood fixture of tests/boards/synflood.test.ts and bench/flood.ts: a bridge in a network
// namespace (Netns, tests/boards/support.ts) with the kernel's address on it (198.18.0.1/16), the
// system under test's TAP (a board's, `petrel serve`'s) and a second TAP whose fd this process holds
// (TapLink) and writes forged SYNs into: Ethernet/IPv4/TCP frames with correct checksums from
// 198.18.1.1 … 198.18.3.254 (nobody has those addresses: ARP for them is never answered, and the
// SYN-ACKs go nowhere). The kernel's own address never gets a forged SYN. A legitimate client
// (tests/boards/peer.mjs probe) connects every 100 ms meanwhile. Addresses: 198.18.0.0/16 only,
// inside the namespace. Every loop is bounded by time and count.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../../host/node/files.ts";
import { TapLink } from "../../host/node/tap.ts";
import { buildTcpFrame } from "../../host/packet/packet.ts";
import { type Netns, tapName } from "../boards/support.ts";

export const FLOOD_KERNEL_IP = "198.18.0.1";
export const FLOOD_SUT_IP = "198.18.0.2";
/** The SUT's prefix: the forged sources are on-link, so the SUT ARPs for them (and never hears back). */
export const FLOOD_PREFIX = 16;
/** The forging TAP's MAC (locally administered). */
export const FLOOD_MAC = "02:00:5e:f1:00:01";

/** One attempt of the probe client (tests/boards/peer.mjs probe). */
export interface ProbeAttempt { at: number; ok: boolean; ms: number; error: string }

/** A bridge br0 in `ns` with the kernel's 198.18.0.1/16 on it and the forging TAP attached. */
export function floodBridge(ns: Netns): TapLink {
  ns.ip("link", "add", "br0", "type", "bridge", "forward_delay", "0");
  ns.ip("link", "set", "br0", "up");
  ns.ip("addr", "add", `${FLOOD_KERNEL_IP}/${FLOOD_PREFIX}`, "dev", "br0");
  const dev = tapName("f");
  const link = TapLink.open(dev, { offload: false }); // (no offloads: it writes SYNs and drops what it reads) created in the root namespace (this process holds the fd), then moved
  try {
    ns.adopt(dev);
    attach(ns, dev);
  } catch (e) {
    link.close();
    throw e;
  }
  link.onFrame(() => {}); // the SUT's ARP requests and SYN-ACKs for the forged sources: read and dropped
  return link;
}

/** Put `dev` (in the namespace) on br0 and bring it up. */
export function attach(ns: Netns, dev: string): void {
  ns.ip("link", "set", dev, "master", "br0");
  ns.ip("link", "set", dev, "up");
}

/** `count` distinct SYNs to dstIp:port: sources 198.18.{1..3}.{1..254}, ports and sequence numbers varied. */
export function forgedSyns(dstMac: string, port: number, count = 16_384): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const host = i % 762;
    const src = `198.18.${1 + Math.floor(host / 254)}.${1 + (host % 254)}`;
    frames.push(buildTcpFrame({
      srcMac: FLOOD_MAC, dstMac, src, dst: FLOOD_SUT_IP, sport: 1024 + ((i * 7919) % 60000), dport: port,
      seq: (i * 2654435761) >>> 0, flags: "S", win: 64240, id: i & 0xffff,
      options: [{ kind: "mss", value: 1460 }],
    }));
  }
  return frames;
}

/** Write `frames` round-robin into the TAP as fast as it takes them for `durationMs` (the event loop
 *  gets a turn every `batch` frames). Resolves with the count written and the wall-clock window. */
export async function flood(link: TapLink, frames: Uint8Array[], durationMs: number, o: { perSecond?: number; batch?: number } = {}): Promise<{ sent: number; errors: number; start: number; end: number }> {
  const batch = o.batch ?? 64;
  const errors0 = link.stats.txErrors, sent0 = link.stats.txFrames;
  const start = Date.now();
  const stop = start + durationMs;
  let k = 0;
  for (let now = start; now < stop; now = Date.now()) {
    // paced: no more than perSecond × elapsed so far (a wait of ≤ 1 ms when ahead)
    const n = o.perSecond === undefined ? batch : Math.min(batch, Math.floor(((now - start + 1) * o.perSecond) / 1000) - k);
    for (let i = 0; i < n; i++) link.send(frames[k++ % frames.length]!);
    await new Promise((r) => (n > 0 ? setImmediate(r) : setTimeout(r, 1)));
  }
  return { sent: link.stats.txFrames - sent0, errors: link.stats.txErrors - errors0, start, end: Date.now() };
}

/** Attempts during [start, end] and the first `after` ones that began after end. */
export function splitAttempts(attempts: ProbeAttempt[], start: number, end: number, after = 3): { before: ProbeAttempt[]; during: ProbeAttempt[]; after: ProbeAttempt[] } {
  return {
    before: attempts.filter((a) => a.at < start),
    during: attempts.filter((a) => a.at >= start && a.at <= end),
    after: attempts.filter((a) => a.at > end).slice(0, after),
  };
}

/** `petrel serve` (the CLI, Node host) inside the namespace on TAP `dev`; resolves with its MAC once it serves. */
export function petrelServe(ns: Netns, dev: string, args: string[]): { proc: ChildProcess; ready: Promise<string>; stderr: () => string; stop: () => Promise<void> } {
  const proc = spawn("ip", ["netns", "exec", ns.name, process.execPath, join(ROOT, "bin", "petrel.js"), "serve", "--tap", dev, "--ip", `${FLOOD_SUT_IP}/${FLOOD_PREFIX}`, ...args], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  const ready = new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`petrel serve did not start within 20 s: ${err}`)), 20_000);
    proc.stderr!.on("data", (d) => {
      err += d;
      const m = /mac ([0-9a-f:]{17}).*Ctrl-C to stop/.exec(err);
      if (m) (clearTimeout(t), res(m[1]!));
    });
    proc.on("close", (code) => (clearTimeout(t), rej(new Error(`petrel serve exited (${code}): ${err}`))));
  });
  ready.catch(() => {});
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const closed = new Promise((r) => proc.once("close", r));
    proc.kill("SIGINT");
    const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await closed;
    clearTimeout(t);
  };
  return { proc, ready, stderr: () => err, stop };
}
