// The TAP link's transmit segmentation offload (native/tap.c writeBatch, tso_run/tso_build): with
// the vnet header on, consecutive segments of one TCP connection in a batch go to the kernel as one
// TSO super-frame per write(2). The kernel delivers a super-frame to a local socket whole, so the
// cases that check what the kernel makes of it put a bridge between the TAP and the kernel's
// address: TAP and veth `va` are ports of bridge br0, the kernel's address is on va's peer `vb`, and
// va has TSO, GSO and checksum offload off, so the kernel must cut every super-frame back into
// segments (tcp4_gso_segment) and checksum each in software before vb receives it; vb's receive
// path then checks every checksum (TcpInCsumErrors). A capture on vb must hold exactly the frames
// Petrel (or the test) queued, byte for byte: same IP ids, flags, sequence numbers and checksums.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildTcpFrame, type TcpFields } from "../../host/packet/packet.ts";
import { readPcap } from "../../host/packet/pcap.ts";
import { ensureDebianTool } from "../support/env.ts";
import { interopTest, transferBothWays } from "../support/interop.ts";
import { ip } from "../../host/node/tap.ts";
import { KERNEL_IP, PETREL_IP, type TapNetns } from "../support/netns.ts";

const PETREL_MAC = "02:00:00:00:7e:57";

/** Move the kernel's address behind a bridge whose egress port (va) segments and checksums in
 *  software; vb's MAC (the kernel's, as Petrel sees it). */
async function bridged(env: TapNetns, mtu = 1500): Promise<string> {
  const missing = ensureDebianTool("ethtool", "ethtool");
  assert.equal(missing, null, missing ?? "");
  const n = ["-n", env.ns];
  ip(...n, "addr", "flush", "dev", env.dev);
  ip(...n, "link", "add", "br0", "type", "bridge");
  ip(...n, "link", "set", "br0", "arp", "off"); // else br0 answers ARP for vb's address too, with its own MAC
  ip(...n, "link", "add", "va", "type", "veth", "peer", "name", "vb");
  ip(...n, "link", "set", env.dev, "master", "br0");
  ip(...n, "link", "set", "va", "master", "br0");
  for (const d of [env.dev, "br0", "va", "vb"]) ip(...n, "link", "set", d, "mtu", String(mtu), "up");
  ip(...n, "addr", "add", `${KERNEL_IP}/24`, "dev", "vb");
  for (const args of [["va", "tso", "off", "gso", "off", "tx", "off"], ["vb", "gro", "off"]]) {
    const r = await env.exec(["ethtool", "-K", ...args], 10_000);
    assert.equal(r.code, 0, `ethtool -K ${args.join(" ")}: ${r.stderr}`);
  }
  const link = JSON.parse(ip(...n, "-j", "link", "show", "vb")) as { address: string }[];
  return link[0]!.address;
}

/** Capture vb's received frames (dumpcap, classic pcap) until stop(); the frames. */
async function captureVb(env: TapNetns): Promise<{ stop(): Promise<Uint8Array[]> }> {
  const file = join(env.dir, "vb.pcap");
  const p = spawn("ip", ["netns", "exec", env.ns, "dumpcap", "-q", "-P", "-B", "64", "-i", "vb", "-w", file], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  p.stderr.on("data", (d) => (err += d));
  const closed = new Promise<void>((r) => p.once("close", () => r()));
  for (let i = 0; i < 100 && !(existsSync(file) && statSync(file).size >= 24); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(existsSync(file), `dumpcap started: ${err}`);
  await new Promise((r) => setTimeout(r, 200)); // the capture is open once the file has its header; a margin
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, 300)); // the last frames through the bridge
      p.kill("SIGINT");
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
      p.kill("SIGKILL");
      return readPcap(readFileSync(file)).records.map((r) => r.frame);
    },
  };
}

const hex = (f: Uint8Array): string => Buffer.from(f).toString("hex");
/** An IPv4 TCP frame from `src`. */
const tcpFrom = (f: Uint8Array, src: string): boolean =>
  f.length >= 54 && f[12] === 0x08 && f[13] === 0 && f[23] === 6 && f.subarray(26, 30).join(".") === src;

/** The kernel's TCP counters in the namespace (/proc/net/snmp's Tcp lines). */
async function tcpCounters(env: TapNetns): Promise<Record<string, number>> {
  const r = await env.exec(["cat", "/proc/net/snmp"]);
  const [names, values] = r.stdout.split("\n").filter((l) => l.startsWith("Tcp:")).map((l) => l.split(/\s+/).slice(1));
  return Object.fromEntries(names!.map((k, i) => [k, Number(values![i])]));
}

interopTest("TapLink transmit offload: Petrel's bulk send leaves as super-frames the kernel cuts back into exactly Petrel's frames (4 MB byte-exact, fewer writes than frames, no checksum error)", { petrel: false, timeoutMs: 90_000 }, async (env) => {
  assert.equal(env.link.offload, 1);
  await bridged(env);
  env.startPetrel(); // after the move: Petrel learns vb's MAC, not the TAP's
  const cap = await captureVb(env);
  const sent: string[] = [];
  const send = env.link.send.bind(env.link);
  env.link.send = (f: Uint8Array): void => {
    if (tcpFrom(f, PETREL_IP)) sent.push(hex(f));
    send(f);
  };
  await transferBothWays(env, 4 << 20, 60_000);
  const frames = (await cap.stop()).filter((f) => tcpFrom(f, PETREL_IP)).map(hex);
  const s = env.link.stats;
  assert.ok(s.txWrites < s.txFrames, `frames (${s.txFrames}) in fewer write(2) calls (${s.txWrites})`);
  assert.equal(s.txErrors, 0);
  assert.ok(sent.length > (4 << 20) / 1460, `Petrel sent ${sent.length} TCP frames (4 MB is more than 2 872 full segments)`);
  assert.equal(frames.length, sent.length, "as many TCP frames reached vb as Petrel queued");
  const queued = new Set(sent);
  const strange = frames.filter((f) => !queued.has(f));
  assert.deepEqual(strange.slice(0, 3), [], `${strange.length} frames on vb differ from every frame Petrel queued`);
  assert.equal(new Set(frames).size, queued.size);
  assert.equal((await tcpCounters(env)).InCsumErrors, 0);
});

/** The crafted segments' common fields: a connection no socket has (the kernel answers RST). */
function segment(dstMac: string, o: Partial<TcpFields> & { id: number; seq: number; size: number }): Uint8Array {
  const payload = new Uint8Array(o.size).map((_, i) => (o.seq + i) & 0xff);
  return buildTcpFrame({
    srcMac: PETREL_MAC, dstMac, src: PETREL_IP, dst: KERNEL_IP, sport: 40_000, dport: 5999, ack: 7777, flags: ".", win: 4000,
    options: [{ kind: "nop" }, { kind: "nop" }, { kind: "ts", val: 1000, ecr: 2000 }], ...o, payload,
  });
}

interopTest("TapLink transmit offload: which queued frames share a write(2) (one TCP connection, contiguous, same headers and options, ACK with PSH only last, full-size but the last), and the kernel cuts each super-frame back into the frames queued", { petrel: false, timeoutMs: 60_000 }, async (env) => {
  const mac = await bridged(env);
  const cap = await captureVb(env);
  // runs of 4 segments of 500 bytes (seq 1000 + 500 i, ids 100 + i) with one change each
  let port = 41_000;
  const run = (change: (i: number) => Partial<TcpFields> & { size?: number; id?: number; seq?: number } = () => ({})): Uint8Array[] => {
    port++;
    return [0, 1, 2, 3].map((i) => segment(mac, { sport: port, id: 100 + i, seq: 1000 + 500 * i, size: 500, ...change(i) }));
  };
  // [what, the frames queued in one batch, the write(2) calls expected]
  const cases: [string, Uint8Array[], number][] = [
    ["one run, PSH on the last", run((i) => (i === 3 ? { flags: "P." } : {})), 1],
    ["the last shorter", run((i) => (i === 3 ? { size: 120 } : {})), 1],
    ["a shorter one before the last ends the run after it", run((i) => (i === 1 ? { size: 120 } : i > 1 ? { seq: 1620 + 500 * (i - 2) } : {})), 2],
    ["a longer one than the first", run((i) => (i === 2 ? { size: 600 } : i === 3 ? { seq: 2600 } : {})), 2],
    ["a gap in sequence", run((i) => (i >= 2 ? { seq: 1001 + 500 * i } : {})), 2],
    ["IP ids not consecutive", run((i) => (i >= 2 ? { id: 101 + i } : {})), 2],
    ["PSH before the last", run((i) => (i === 1 ? { flags: "P." } : {})), 2],
    ["FIN on the last", run((i) => (i === 3 ? { flags: "F." } : {})), 2],
    ["another ACK number", run((i) => (i >= 2 ? { ack: 7778 } : {})), 2],
    ["another window", run((i) => (i >= 2 ? { win: 4001 } : {})), 2],
    ["another option byte (timestamp)", run((i) => (i >= 2 ? { options: [{ kind: "nop" }, { kind: "nop" }, { kind: "ts", val: 1001, ecr: 2000 }] } : {})), 2],
    ["another connection between", ((a, b) => [a[0]!, a[1]!, b[2]!, a[2]!, a[3]!])(run(), run()), 3],
    ["a SYN first", run((i) => (i === 0 ? { flags: "S." } : {})), 2],
    ["ECE", run((i) => (i === 0 ? { flags: "E." } : {})), 2],
  ];
  const queued: string[] = [];
  const writes: Record<string, number> = {};
  for (const [name, frames] of cases) {
    const before = env.link.stats.txWrites;
    for (const f of frames) {
      env.petrelLink.send(f);
      if (tcpFrom(f, PETREL_IP)) queued.push(hex(f));
    }
    env.link.flush();
    writes[name] = env.link.stats.txWrites - before;
    assert.equal(env.link.stats.txErrors, 0, `${name}: refused (${env.link.lastTxError})`);
  }
  const got = (await cap.stop()).filter((f) => tcpFrom(f, PETREL_IP)).map(hex);
  assert.deepEqual(writes, Object.fromEntries(cases.map(([name, , n]) => [name, n])));
  assert.deepEqual(got, queued, "vb received exactly the frames queued, in order");
  assert.equal((await tcpCounters(env)).InCsumErrors, 0);
});

interopTest("TapLink transmit offload: a super-frame holds at most 64 KiB of IP datagram (10 segments of 8 000 bytes on a 9 000-byte MTU: 8 in one write, 2 in the next), cut back into the frames queued", { petrel: false, mtu: 9000, timeoutMs: 60_000 }, async (env) => {
  const mac = await bridged(env, 9000);
  const cap = await captureVb(env);
  const frames = Array.from({ length: 10 }, (_, i) => segment(mac, { sport: 42_000, id: 300 + i, seq: 5000 + 8000 * i, size: 8000 }));
  const before = env.link.stats.txWrites;
  for (const f of frames) env.petrelLink.send(f);
  env.link.flush();
  assert.equal(env.link.stats.txErrors, 0, `refused (${env.link.lastTxError})`);
  assert.equal(env.link.stats.txWrites - before, 2, "20 + 32 + 8 × 8 000 = 64 052 bytes fit, a ninth segment would not");
  const got = (await cap.stop()).filter((f) => tcpFrom(f, PETREL_IP)).map(hex);
  assert.deepEqual(got, frames.map(hex));
  assert.equal((await tcpCounters(env)).InCsumErrors, 0);
});
