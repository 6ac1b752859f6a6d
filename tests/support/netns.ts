// A TAP device whose kernel side lives in a network namespace the test creates, with a Petrel
// stack (host/node/net.ts) on the other side of the fd. The TAP is created in the root namespace by the
// addon (this process holds the fd), then `ip link set DEV netns NS` moves its kernel side away;
// frames keep flowing through the fd. Kernel 198.18.0.1/24 in the namespace, Petrel 198.18.0.2/24.
// Everything is removed on close(), and by a process 'exit' hook if a test dies first. Every wait
// is bounded; traffic only ever goes to addresses in 198.18.0.0/24 inside that namespace.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Profile } from "../../host/core.ts";
import { ROOT } from "../../host/node/files.ts";
import { FaultLink, type FaultOptions } from "../../host/link/fault.ts";
import type { Link } from "../../host/link/link.ts";
import { PcapLink } from "../../host/link/pcap.ts";
import { TapLink, ip, tapUnavailable } from "../../host/node/tap.ts";
import { PetrelStack } from "../../host/node/net.ts";
import { PcapFileWriter } from "../../host/node/pcap-file.ts";
import { RealClock, wallTime } from "../../host/node/realtime.ts";
import { hasCommand } from "./env.ts";

export const KERNEL_IP = "198.18.0.1";
export const PETREL_IP = "198.18.0.2";
export const PEER_SCRIPT = join(ROOT, "tests", "interop", "peers", "kernel.mjs");

/** Namespaces to delete if the process dies first (the bench and CLI tests add theirs too). */
export const liveNamespaces = new Set<string>();
const liveChildren = new Set<ChildProcess>();
let hooked = false;
export function hookExit(): void {
  if (hooked) return;
  hooked = true;
  const cleanup = (): void => {
    for (const c of liveChildren) c.kill("SIGKILL");
    for (const ns of liveNamespaces) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 5000 });
    liveNamespaces.clear();
  };
  process.on("exit", cleanup);
  // 'exit' does not run when a signal kills the process (a runner's timeout, Ctrl-C)
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      cleanup();
      process.kill(process.pid, sig);
    });
  }
}

/** Why interop tests cannot run here (no root, no /dev/net/tun, no addon, no iproute2), or null. */
export function interopUnavailable(): string | null {
  const why = tapUnavailable();
  if (why) return why;
  if (!hasCommand("ip")) return "iproute2's `ip` is not installed";
  return null;
}

let counter = 0;

export interface TapNetnsOptions {
  /** Core profile of the Petrel side (default "server": 64 KiB rings, 64 connections). */
  profile?: Profile;
  /** Open the TAP with the kernel's offloads (TapLink.open's `offload`; default: TapLink's default). */
  offload?: boolean;
  /** The TAP link's MTU (TapLink.open's `mtu`; default 1500). */
  mtu?: number;
  /** Fault injection on Petrel's side of the link, both directions (FaultLink). */
  fault?: Omit<FaultOptions, "log">;
  /** Record every frame to a pcap file (default true; benchmarks turn it off: it costs a copy per frame). */
  capture?: boolean;
  /** false: no Petrel stack yet (the test starts a server first, then calls startPetrel). */
  petrel?: boolean;
}

export interface PeerRun<R = Record<string, unknown>> {
  proc: ChildProcess;
  /** Resolves when a server mode printed {"event":"listening"}. */
  listening: Promise<void>;
  /** The peer's {"result":…}; rejects if it exits without one or overruns `timeoutMs`. */
  result: Promise<R & { error?: string }>;
  /** Write a line to the peer's stdin. */
  send(line: string): void;
}

export class TapNetns {
  readonly clock = new RealClock();
  readonly ns: string;
  readonly dev: string;
  readonly dir: string;
  readonly pcapPath: string;
  link!: TapLink;
  pcap!: PcapFileWriter;
  fault: FaultLink | null = null;
  petrel!: PetrelStack;
  /** The link Petrel's stack sits on (capture and fault middleware included). */
  petrelLink!: Link;
  private profile: Profile = "server";
  private closed = false;

  private constructor(tag: string) {
    const n = ++counter;
    this.ns = `petrel-${tag}-${process.pid}-${n}`;
    this.dev = `pt${process.pid}x${n}`.slice(0, 15);
    this.dir = mkdtempSync(join(tmpdir(), `petrel-interop-${tag}-`));
    this.pcapPath = join(this.dir, `${tag}.pcap`);
  }

  static create(tag: string, o: TapNetnsOptions = {}): TapNetns {
    hookExit();
    const env = new TapNetns(tag);
    try {
      env.link = TapLink.open(env.dev, { ...(o.offload === undefined ? {} : { offload: o.offload }), ...(o.mtu ? { mtu: o.mtu } : {}) });
      ip("netns", "add", env.ns);
      liveNamespaces.add(env.ns);
      ip("link", "set", env.dev, "netns", env.ns);
      spawnSync("ip", ["netns", "exec", env.ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1", `net.ipv6.conf.${env.dev}.disable_ipv6=1`], { stdio: "ignore", timeout: 5000 });
      ip("-n", env.ns, "addr", "add", `${KERNEL_IP}/24`, "dev", env.dev);
      ip("-n", env.ns, "link", "set", "lo", "up");
      ip("-n", env.ns, "link", "set", env.dev, "up");
      let link: Link = env.link;
      if (o.capture !== false) {
        env.pcap = new PcapFileWriter(env.pcapPath);
        link = new PcapLink(env.link, wallTime, env.pcap);
      }
      if (o.fault) link = env.fault = new FaultLink(link, env.clock, o.fault);
      env.petrelLink = link;
      env.profile = o.profile ?? "server";
      if (o.petrel !== false) env.startPetrel();
    } catch (e) {
      env.closeSync();
      throw e;
    }
    return env;
  }

  /** Put Petrel's stack on the TAP: static PETREL_IP/24 unless `dhcp`. */
  startPetrel(o: { dhcp?: boolean | { requestedIp?: string; initDelayMs?: number }; mac?: string } = {}): PetrelStack {
    this.petrel = new PetrelStack({ name: "petrel", ...(o.dhcp ? { dhcp: o.dhcp } : { ip: `${PETREL_IP}/24` }), mac: o.mac, link: this.petrelLink, clock: this.clock, profile: this.profile });
    return this.petrel;
  }

  /** Run a command inside the namespace; resolves with its exit code and output (bounded by timeoutMs). */
  exec(cmd: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const p = spawn("ip", ["netns", "exec", this.ns, ...cmd], { stdio: ["ignore", "pipe", "pipe"] });
      liveChildren.add(p);
      let stdout = "";
      let stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      const t = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
      p.on("close", (code) => {
        clearTimeout(t);
        liveChildren.delete(p);
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Start the kernel-side peer (tests/interop/peers/kernel.mjs) in `mode` inside the namespace. */
  peer<R = Record<string, unknown>>(mode: string, args: Record<string, unknown>, timeoutMs = 60_000): PeerRun<R> {
    return runPeer<R>(this.ns, mode, args, timeoutMs);
  }

  /** Close Petrel's sockets gracefully, then remove the TAP device and the namespace. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.petrel?.close(1000);
    } finally {
      this.closeSync();
    }
  }

  private closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of liveChildren) c.kill("SIGKILL");
    this.clock.stop();
    this.pcap?.close();
    this.link?.close();
    if (liveNamespaces.has(this.ns)) {
      spawnSync("ip", ["netns", "del", this.ns], { stdio: "ignore", timeout: 10_000 });
      liveNamespaces.delete(this.ns);
    }
  }

  /** Remove the capture directory (kept when a test fails, for a look in Wireshark). */
  removeCapture(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Start the kernel-side peer (tests/interop/peers/kernel.mjs) in `mode` inside namespace `ns`. */
export function runPeer<R = Record<string, unknown>>(ns: string, mode: string, args: Record<string, unknown>, timeoutMs = 60_000, cpus?: string): PeerRun<R> {
  const pin = cpus ? ["taskset", "-c", cpus] : []; // `cpus`: run it on these CPUs only (bench:tap --pin)
  const p = spawn("ip", ["netns", "exec", ns, ...pin, process.execPath, PEER_SCRIPT, mode, JSON.stringify({ timeoutMs, ...args })], { stdio: ["pipe", "pipe", "pipe"] });
  liveChildren.add(p);
  let buf = "";
  let stderr = "";
  let onListening: () => void = () => {};
  let onResult: (r: R & { error?: string }) => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const listening = new Promise<void>((res, rej) => ((onListening = res), (p.once("close", () => rej(new Error(`peer ${mode} exited before listening: ${stderr.trim()}`))))));
  listening.catch(() => {});
  const result = new Promise<R & { error?: string }>((res, rej) => ((onResult = res), (onFail = rej)));
  result.catch(() => {}); // a server peer killed at the end has nobody waiting for its result
  const guard = setTimeout(() => {
    p.kill("SIGKILL");
    onFail(new Error(`peer ${mode}: no result within ${timeoutMs + 5000} ms`));
  }, timeoutMs + 5000);
  p.stdout.on("data", (d) => {
    buf += d;
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (!line.trim()) continue;
      const msg = JSON.parse(line) as { event?: string; result?: R & { error?: string } };
      if (msg.event === "listening") onListening();
      if (msg.result) onResult(msg.result);
    }
  });
  p.stderr.on("data", (d) => (stderr += d));
  p.on("close", (code) => {
    clearTimeout(guard);
    liveChildren.delete(p);
    onFail(new Error(`peer ${mode} exited (${code}) without a result: ${stderr.trim()}`));
  });
  return { proc: p, listening, result, send: (line) => p.stdin.write(line + "\n") };
}
