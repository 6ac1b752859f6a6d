// The boards tests' fixtures: a native board process (build/linux/petrel-linux with the wasm2c engine,
// build/linux/petrel-linux-wamr with WAMR; same options, same output) and a network
// namespace the test creates. A board opens its TAP in the root namespace (so the TAP's fd lives
// in this test's child process) and the test moves the kernel side into the namespace with
// `ip link set DEV netns NS`; frames keep flowing through the fd. Addresses: 198.18.0.0/24 only,
// inside that namespace. Every wait is bounded; namespaces and board processes are removed on
// close(), and by a process 'exit' hook if a test dies first (a board's TAP goes with its process).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../host/node/files.ts";
import { hasCommand, isRoot } from "../support/env.ts";

export const BOARD_BIN = join(ROOT, "build", "linux", "petrel-linux");
export const WAMR_BIN = join(ROOT, "build", "linux", "petrel-linux-wamr");
/** The same board built from the server profile (64 connections, 64 KiB rings): `make -f boards/linux/Makefile PROFILE=server`. */
export const SERVER_BOARD_BIN = join(ROOT, "build", "linux", "server", "petrel-linux");
/** The two engines of boards/common/core.h and the board binary of each. */
export const ENGINES = { wasm2c: BOARD_BIN, wamr: WAMR_BIN } as const;
export type Engine = keyof typeof ENGINES;
export const PEER = join(ROOT, "tests", "boards", "peer.mjs");
/** WAMR's sources: $WAMR_ROOT, else ../shared/third_party/wasm-micro-runtime beside the project (as the Makefiles). */
export const WAMR_ROOT = process.env.WAMR_ROOT ?? join(ROOT, "..", "shared", "third_party", "wasm-micro-runtime");
export const KERNEL_IP = "198.18.0.1";
export const BOARD_IP = "198.18.0.2";
export const BOARD2_IP = "198.18.0.3";

export const sha256File = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

const liveNamespaces = new Set<string>();
const liveBoards = new Set<ChildProcess>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const p of liveBoards) p.kill("SIGKILL");
    for (const ns of liveNamespaces) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore", timeout: 5000 });
  });
}

/** Why the network cases cannot run here, or null. */
export function netUnavailable(bin = BOARD_BIN): string | null {
  if (!isRoot()) return "needs root (TAP devices, network namespaces)";
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun is missing";
  if (!hasCommand("ip")) return "iproute2's `ip` is not installed";
  if (!existsSync(bin)) return `${bin} is missing (the build case failed or was skipped)`;
  return null;
}

function ipSync(...args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr || r.error?.message}`);
}

let seq = 0;
/** A unique interface name (≤ 15 characters). */
export function tapName(tag: string): string {
  return `pb${tag}${process.pid % 100000}x${++seq}`.slice(0, 15);
}

export interface ReadyLine { event: "ready"; tap: string; tso?: boolean; ip: string; mac: string; engine: string; wasm: string; wasm_sha256: string; wasm_bytes: number; memory: number; config: number[] }
export interface StatusLine {
  event: string; connections: number; tx_frames: number; tx_errors: number; rx_frames: number; memory: number; counters: number[];
  /** boards/linux: write(2) calls on the TAP (with TSO, one per super-frame) */
  tx_writes?: number;
  /** boards/linux's loop: poll() and read() calls on the TAP, reads that found no frame (a signal
   *  came first), and how often the alarm (the timer for the core's next deadline) was set */
  polls?: number; reads?: number; empty_reads?: number; alarms?: number;
}
export interface ClientResult { job: number; ip: string; port: number; mode: string; bytes: number; sent: number; received: number; mismatch_at: number; error: number; ok: boolean; ms: number }

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A child process that prints JSON lines on stdout (a board, a firmware's console): the lines,
 *  bounded waits on them, and a bounded stop. `label` names it in errors. */
class LineProcess {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[] = [];
  stderr = "";
  readonly exited: Promise<Exit>;
  private waiters: (() => void)[] = [];

  constructor(readonly label: string, cmd: string, argv: string[], encoding: BufferEncoding = "utf8") {
    hookExit();
    this.proc = spawn(cmd, argv, { stdio: ["pipe", "pipe", "pipe"] });
    liveBoards.add(this.proc);
    let buf = "";
    this.proc.stdout!.on("data", (d: Buffer) => {
      buf += d.toString(encoding);
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) this.onLine(line);
      }
      this.wake();
    });
    this.proc.stderr!.on("data", (d) => (this.stderr += d));
    this.proc.stdin!.on("error", () => {}); // the process is gone: its exit is reported by `exited`
    this.exited = new Promise((res) => this.proc.on("close", (code, signal) => {
      liveBoards.delete(this.proc);
      res({ code, signal });
      this.wake();
    }));
  }

  /** One line of stdout: JSON by default. */
  protected onLine(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first line (from index `from`) that `pred` accepts; rejects after timeoutMs or on exit. */
  async waitLine<T>(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.slice(from).find(pred);
      if (hit) return hit as T;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`${this.label} exited (${this.proc.exitCode ?? this.proc.signalCode}) without the line: ${this.stderr.trim()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${this.label}: no such line within ${timeoutMs} ms; stderr: ${this.stderr.trim()}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => (clearTimeout(t), res()));
      });
    }
  }

  /** `ask` for a status line (whose event is "status") and wait for it. */
  protected async statusAfter<T>(ask: () => void, timeoutMs: number): Promise<T> {
    const from = this.lines.length;
    ask();
    return this.waitLine<T>((l) => l.event === "status", timeoutMs, from);
  }

  /** `ask` the process to end (SIGKILL after timeoutMs); its exit and its exit line. */
  protected async stopAfter(ask: () => void, timeoutMs: number): Promise<Exit & { exit?: StatusLine }> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) ask();
    const t = setTimeout(() => this.proc.kill("SIGKILL"), timeoutMs);
    const r = await this.exited;
    clearTimeout(t);
    return { ...r, exit: this.lines.find((l) => l.event === "exit") as StatusLine | undefined };
  }
}

/** A running petrel-linux (or petrel-linux-wamr: `bin`): its JSON lines, bounded waits on them, and a bounded stop. */
export class Board extends LineProcess {
  /** `bin`: the board binary, or a command line that runs it (e.g. ["qemu-i386", "-L", "/", bin]). */
  constructor(args: string[], netns?: string, bin: string | string[] = BOARD_BIN) {
    const run = typeof bin === "string" ? [bin] : bin;
    const [cmd, argv] = netns ? ["ip", ["netns", "exec", netns, ...run, ...args]] : [run[0]!, [...run.slice(1), ...args]];
    super("board", cmd as string, argv as string[]);
  }

  ready(timeoutMs = 10_000): Promise<ReadyLine> {
    return this.waitLine<ReadyLine>((l) => l.event === "ready", timeoutMs);
  }

  /** Every {"result":…} line so far, waiting (bounded) until there are n. */
  async results(n: number, timeoutMs: number): Promise<ClientResult[]> {
    const done = (): ClientResult[] => this.lines.filter((x) => x.result).map((x) => x.result as ClientResult);
    if (done().length < n) await this.waitLine(() => done().length >= n, timeoutMs);
    return done();
  }

  /** SIGUSR1 → the board prints its status line. */
  status(timeoutMs = 5000): Promise<StatusLine> {
    return this.statusAfter(() => this.proc.kill("SIGUSR1"), timeoutMs);
  }

  /** SIGTERM (SIGKILL after timeoutMs); resolves with the exit code and the board's exit line. */
  stop(timeoutMs = 5000): Promise<Exit & { exit?: StatusLine }> {
    return this.stopAfter(() => this.proc.kill("SIGTERM"), timeoutMs);
  }
}

/** A network namespace of this test (lo up, IPv6 off so the kernel stays quiet on the TAPs). */
export class Netns {
  readonly name: string;
  private closed = false;

  constructor(tag: string) {
    hookExit();
    this.name = `petrel-board-${tag}-${process.pid}-${++seq}`;
    ipSync("netns", "add", this.name);
    liveNamespaces.add(this.name);
    try {
      spawnSync("ip", ["netns", "exec", this.name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"], { stdio: "ignore", timeout: 5000 });
      this.ip("link", "set", "lo", "up");
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** `ip -n NS …` (throws on failure). */
  ip(...args: string[]): void {
    ipSync("-n", this.name, ...args);
  }

  /** Move a TAP from the root namespace into this one. */
  adopt(dev: string): void {
    ipSync("link", "set", dev, "netns", this.name);
  }

  /** Run a command inside the namespace, bounded by timeoutMs. */
  exec(cmd: string[], timeoutMs = 20_000): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync("ip", ["netns", "exec", this.name, ...cmd], { encoding: "utf8", timeout: timeoutMs });
    return { code: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? String(r.error) : "") };
  }

  /** Run tests/boards/peer.mjs MODE inside the namespace; its {"result":…} (bounded: timeoutMs + 5 s). */
  peer<R>(mode: string, args: Record<string, unknown>, timeoutMs = 30_000): Promise<R & { error?: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn("ip", ["netns", "exec", this.name, process.execPath, PEER, mode, JSON.stringify({ timeoutMs, ...args })], { stdio: ["ignore", "pipe", "pipe"] });
      liveBoards.add(p);
      let out = "", err = "";
      p.stdout.on("data", (d) => (out += d));
      p.stderr.on("data", (d) => (err += d));
      const guard = setTimeout(() => p.kill("SIGKILL"), timeoutMs + 5000);
      p.on("close", (code) => {
        clearTimeout(guard);
        liveBoards.delete(p);
        const line = out.split("\n").find((l) => l.startsWith("{\"result\""));
        if (!line) return reject(new Error(`peer ${mode} exited (${code}) without a result: ${err.trim()}`));
        resolve((JSON.parse(line) as { result: R & { error?: string } }).result);
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    spawnSync("ip", ["netns", "del", this.name], { stdio: "ignore", timeout: 10_000 });
    liveNamespaces.delete(this.name);
  }
}

/** Does an interface of this name exist in the root namespace? */
export function rootHasLink(dev: string): boolean {
  return spawnSync("ip", ["link", "show", "dev", dev], { stdio: "ignore", timeout: 5000 }).status === 0;
}

// ── QEMU mps2-an386 firmwares (tests/boards/mps2.test.ts) ────────────────────────────────────────
// A firmware runs in qemu-system-arm started inside the test's namespace (QEMU creates the TAP
// there, and it goes away with QEMU). The console is QEMU's stdio: JSON lines out, 's' (status) and
// 'q' (exit line, then QEMU exits 0) in.

/** A firmware in QEMU: its JSON console lines, bounded waits, a status request and a clean stop. */
export class QemuBoard extends LineProcess {
  constructor(qemuArgs: string[], netns: string) {
    super("QEMU", "ip", ["netns", "exec", netns, "qemu-system-arm", ...qemuArgs], "latin1");
  }

  /** The console also carries the firmware's plain text (and, on a bad line, garbage): kept as stderr. */
  protected override onLine(line: string): void {
    if (!line.startsWith("{")) return void (this.stderr += `console: ${line}\n`);
    try { this.lines.push(JSON.parse(line) as Record<string, unknown>); } catch { this.stderr += `bad console line: ${line}\n`; }
  }

  ready(timeoutMs = 20_000): Promise<ReadyLine & { engine: string; board: string }> {
    return this.waitLine((l) => l.event === "ready", timeoutMs);
  }

  /** 's' on the console → the firmware prints its status line. */
  status(timeoutMs = 5000): Promise<StatusLine & { ticks: number; idle_ticks: number }> {
    return this.statusAfter(() => this.proc.stdin!.write("s"), timeoutMs);
  }

  /** 'q' → exit line and QEMU's exit (SIGKILL after timeoutMs). */
  stop(timeoutMs = 5000): Promise<Exit & { exit?: StatusLine }> {
    return this.stopAfter(() => this.proc.stdin!.write("q"), timeoutMs);
  }
}
