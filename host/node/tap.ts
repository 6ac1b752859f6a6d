// A TAP device as a Link (Linux). The native addon (native/tap.c, built by node-gyp at npm install)
// opens /dev/net/tun with IFF_TAP | IFF_NO_PI, makes the fd non-blocking and calls back through a
// libuv poll handle whenever frames are queued; this class reads them (bounded per wake-up) and
// hands each to the stack. The stack's frames are copied into one preallocated buffer and written
// in one native call per batch (writeBatch, in order; one write(2) per frame, or with the offloads
// one per run of segments of a TCP connection, sent as a TSO super-frame): at the end of each
// batch of received frames, when the buffer is full, and otherwise at the end of the JavaScript
// turn that sent them (a microtask), so nothing waits for a later event.
//
// Device lifetime: if the interface does not exist, opening creates it (not persistent) and it
// disappears when the fd is closed (close(), or the process exits). A device that already exists
// (e.g. `ip tuntap add dev petrel0 mode tap`) is attached to and left in place.
// The kernel side of the device can be moved to another network namespace
// (`ip link set NAME netns NS`) while this process keeps the fd: frames still flow.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ROOT } from "../node/files.ts";
import { cidrOrThrow } from "../packet/cidr.ts";
import { Handlers, type FrameHandler, type FrameHandlerOptions, type Link } from "../link/link.ts";

interface TapAddon {
  open(name: string, offload?: boolean): { fd: number; name: string; qlen?: number; offload?: number };
  read(fd: number, buf: Uint8Array): number;
  readBatch(fd: number, buf: Uint8Array, max: number, room: number, stats?: Int32Array): number;
  write(fd: number, buf: Uint8Array): number;
  writeBatch(fd: number, buf: Uint8Array, count: number, result: Int32Array): number;
  watch(fd: number, cb: (status: number) => void): number;
  ref(fd: number, on: boolean): number;
  close(fd: number): number;
}

export const ADDON_PATH = join(ROOT, "build", "Release", "petrel_tap.node");

let addon: TapAddon | null = null;
/** The native addon, or an Error saying how to get it. */
export function loadTapAddon(): TapAddon {
  if (addon) return addon;
  if (!existsSync(ADDON_PATH)) {
    throw new TapError("ENOADDON", `the TAP addon is not built (${ADDON_PATH} missing): run \`npm install\` (node-gyp needs a C compiler, make and python3)`);
  }
  addon = createRequire(import.meta.url)(ADDON_PATH) as TapAddon;
  return addon;
}

export class TapError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = "TapError";
  }
}

/** Why this process cannot use TAP devices, or null when it can (root or CAP_NET_ADMIN, /dev/net/tun, the addon). */
export function tapUnavailable(): string | null {
  if (process.platform !== "linux") return "TAP devices need Linux";
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun does not exist (load the tun module, or give the container the device)";
  if (!existsSync(ADDON_PATH)) return `the TAP addon is not built (${ADDON_PATH}); run npm install`;
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "creating TAP devices and network namespaces needs root (CAP_NET_ADMIN)";
  return null;
}

export const IFNAMSIZ = 16;

export interface TapStats {
  rxFrames: number;
  txFrames: number;
  rxBytes: number;
  txBytes: number;
  /** write() failed (EAGAIN: the kernel queue was full, EIO: the device is down…): the frame is lost, TCP retransmits. */
  txErrors: number;
  /** Native write calls: one per batch of frames sent (txFrames / txCalls frames per call). */
  txCalls: number;
  /** write(2) calls: one per frame without offloads; with them one per run of segments of one TCP
   *  connection sent as a super-frame (txFrames / txWrites frames per write). */
  txWrites: number;
  /** Wake-ups that hit the per-wake-up frame bound (more frames were left for the next one). */
  rxBounded: number;
  /** Wake-ups ended early by endBurst() (the application had work to do first). */
  rxYields: number;
  /** read(2) calls that returned a frame: rxFrames without offloads, fewer with (one per super-frame). */
  rxReads: number;
  /** Super-frames (TSO, up to 64 KiB) the addon split into rxFrames segments (offload). */
  rxSuperFrames: number;
}

const MAX_FRAMES_PER_WAKE = 256;
/** Frames read per native call (native/tap.c readBatch): one N-API crossing per batch, not per frame. */
const BATCH = 32;
/** Frames written per native call at most (native/tap.c writeBatch). */
const TX_BATCH = 32;
const RESOLVED = Promise.resolve();

export class TapLink implements Link {
  private handlers = new Handlers();
  private buf: Uint8Array;
  /** BATCH frames of up to buf.length bytes, each after its u16 length (readBatch's layout). */
  private batch: Uint8Array;
  private closed_ = false;
  private burstEnded = false;
  private batchEnd: (() => void)[] = [];
  /** Frames waiting to be written: TX_BATCH frames of up to buf.length bytes, each after its u16
   *  length (writeBatch's layout); txAt bytes and txQueued frames of it are used. */
  private tx: Uint8Array;
  private txAt = 0;
  private txQueued = 0;
  /** A flush is due at the end of this JavaScript turn: a microtask is queued, or drain() runs
   *  (it flushes after each batch and when it returns, so a wake-up queues no microtask). */
  private txFlushDue = false;
  /** writeBatch's [frames refused, last -errno, bytes written, write(2) calls]. */
  private readonly txResult = new Int32Array(4);
  /** A byte view of the last buffer sendFrom copied from (a core's linear memory, which never grows). */
  private src: Uint8Array = new Uint8Array(0);
  readonly stats: TapStats = { rxFrames: 0, txFrames: 0, rxBytes: 0, txBytes: 0, txErrors: 0, txCalls: 0, txWrites: 0, rxBounded: 0, rxYields: 0, rxReads: 0, rxSuperFrames: 0 };
  /** readBatch's [reads, super-frames] (native/tap.c), folded into stats after each call. */
  private readonly rxResult = new Int32Array(2);
  /** The last write error code (negative errno), 0 if none. */
  lastTxError = 0;

  private constructor(
    private readonly tap: TapAddon,
    readonly fd: number,
    readonly name: string,
    /** True when opening created the device (it goes away with close()). */
    readonly created: boolean,
    mtu: number,
    /** The device's txqueuelen (frames the kernel holds for us to read), raised to 16 384 at open
     *  (native/tap.c); a negative errno when it could not be read or set, 0 from an older addon. */
    readonly queueLen: number,
    /** 1: the kernel hands TCP data to the device as super-frames of up to 64 KiB (TSO) with
     *  checksums left to us, which the addon splits back into the segments the kernel would have
     *  sent (one read(2) and one queued frame per super-frame instead of one per segment), and
     *  takes Petrel's consecutive segments of a connection the same way (stats.txWrites); 0: off;
     *  a negative errno: the kernel refused (frames come one by one, as without). */
    readonly offload: number,
  ) {
    this.buf = new Uint8Array(mtu + 14 + 4);
    this.batch = new Uint8Array(BATCH * (2 + this.buf.length));
    this.tx = new Uint8Array(TX_BATCH * (2 + this.buf.length));
  }

  /**
   * Open (or create) TAP device `name`. Throws TapError with a clear message: EACCES/EPERM when
   * this process lacks CAP_NET_ADMIN (run as root), ENOENT when /dev/net/tun is missing, EBUSY
   * when another process holds the device, EINVAL for a bad name or a non-TAP device of that name.
   * `offload` (default true unless the environment has PETREL_TAP_OFFLOAD=0): ask for the kernel's
   * TSO and checksum offloads (see `offload`).
   */
  static open(name: string, o: { mtu?: number; offload?: boolean } = {}): TapLink {
    if (!name || name.length >= IFNAMSIZ || !/^[A-Za-z0-9_.-]+$/.test(name)) {
      throw new TapError("EINVAL", `bad interface name ${JSON.stringify(name)} (1–15 characters: letters, digits, _ . -)`);
    }
    const tap = loadTapAddon();
    const existed = existsSync(`/sys/class/net/${name}`);
    let h: { fd: number; name: string; qlen?: number; offload?: number };
    try {
      h = tap.open(name, o.offload ?? process.env.PETREL_TAP_OFFLOAD !== "0");
    } catch (e) {
      const err = e as Error & { code?: string };
      const code = err.code ?? "EIO";
      const hint =
        code === "EACCES" || code === "EPERM" ? "this needs CAP_NET_ADMIN: run as root (sudo) or grant the capability; an existing device must be owned by this user (ip tuntap add dev NAME mode tap user $USER)"
        : code === "ENOENT" ? "/dev/net/tun is missing: load the tun module (modprobe tun) or give the container /dev/net/tun"
        : code === "EBUSY" ? "the device is in use by another process"
        : code === "EINVAL" ? `an interface named ${name} exists and is not a TAP device`
        : "";
      throw new TapError(code, `cannot open TAP device ${name}: ${err.message}${hint ? ` — ${hint}` : ""}`);
    }
    const link = new TapLink(tap, h.fd, h.name, !existed, o.mtu ?? 1500, h.qlen ?? 0, h.offload ?? 0);
    tap.watch(h.fd, () => link.drain());
    return link;
  }

  /** Queue one frame (copied: the caller may reuse `frame`); it is written with the batch. */
  send(frame: Uint8Array): void {
    if (this.closed_) return;
    const len = frame.length;
    if (len === 0 || len > this.buf.length) {
      // write(2) would refuse it too (EINVAL): counted like any refused frame, never queued
      this.stats.txErrors++;
      this.lastTxError = -22;
      return;
    }
    if (this.txQueued === TX_BATCH) this.flush();
    const at = this.txAt;
    this.tx[at] = len & 0xff;
    this.tx[at + 1] = len >>> 8;
    this.tx.set(frame, at + 2);
    this.txAt = at + 2 + len;
    if (this.txQueued++ === 0 && !this.txFlushDue) {
      this.txFlushDue = true;
      // a resolved promise's then(): queueMicrotask wraps each callback in an AsyncResource, which
      // cost more than the flush's own JavaScript
      RESOLVED.then(this.flushLater);
    }
  }

  /** Queue the frame at buffer[offset, offset + length) (a core's tx buffer, reused once this returns). */
  sendFrom(buffer: ArrayBufferLike, offset: number, length: number): void {
    if (this.src.buffer !== buffer) this.src = new Uint8Array(buffer);
    this.send(this.src.subarray(offset, offset + length));
  }

  /** Write the queued frames now, in order, in one native call. */
  flush(): void {
    const count = this.txQueued;
    if (count === 0 || this.closed_) return;
    this.txQueued = 0;
    this.txAt = 0;
    const ok = this.tap.writeBatch(this.fd, this.tx, count, this.txResult);
    this.stats.txCalls++;
    this.stats.txFrames += ok;
    this.stats.txBytes += this.txResult[2]!;
    this.stats.txWrites += this.txResult[3]!;
    if (ok === count) return;
    this.stats.txErrors += this.txResult[0]!;
    this.lastTxError = this.txResult[1]!;
  }

  private readonly flushLater = (): void => {
    this.txFlushDue = false;
    this.flush();
  };

  onFrame(cb: FrameHandler, opts?: FrameHandlerOptions): void {
    this.handlers.add(cb, opts);
  }

  /** After each batch read in one native call (Link.onBatchEnd). */
  onBatchEnd(cb: () => void): void {
    this.batchEnd.push(cb);
  }

  /**
   * End the current burst after the frame being handled: the application runs (Node drains its
   * nextTick queue when the wake-up returns) before the next frame is read. Without it a peer
   * that answers at once (a client opening and closing connections in a loop) kept one wake-up
   * reading for hundreds of frames while every closed connection waited for the app's close,
   * until the table was full and SYNs were dropped.
   */
  endBurst(): void {
    this.burstEnded = true;
  }

  /** Read the queued frames (bounded per wake-up, and ended early by endBurst(); the level-triggered
   *  poll handle wakes us again for the rest), BATCH at a time from the native side: the frames of a
   *  batch, then the onBatchEnd callbacks (a Stack polls and dispatches there: endBurst() comes from
   *  that dispatch and ends the wake-up after this batch). */
  private drain(): void {
    const due = this.txFlushDue;
    this.txFlushDue = true;
    try {
      this.drainBatches();
    } finally {
      this.txFlushDue = due;
      this.flush(); // what the last batch's handlers sent
    }
  }

  private drainBatches(): void {
    this.burstEnded = false;
    const room = this.buf.length;
    for (let total = 0; total < MAX_FRAMES_PER_WAKE; ) {
      if (this.closed_) return;
      const r = this.rxResult;
      r[0] = r[1] = 0;
      const n = this.tap.readBatch(this.fd, this.batch, BATCH, room, r);
      this.stats.rxReads += r[0]!;
      this.stats.rxSuperFrames += r[1]!;
      if (n <= 0) return; // nothing left (or an error: the poll handle reports it)
      let at = 0;
      for (let i = 0; i < n; i++) {
        const len = this.batch[at]! | (this.batch[at + 1]! << 8);
        const frame = this.batch.subarray(at + 2, at + 2 + len);
        at += 2 + len;
        this.stats.rxFrames++;
        this.stats.rxBytes += len;
        // handlers that copy what they keep (a Stack) get a view of the batch buffer, others a copy
        this.handlers.emit(this.handlers.transient ? frame : frame.slice());
        if (this.closed_) return;
      }
      for (const cb of this.batchEnd) cb();
      this.flush(); // the answers to this batch leave before the next read
      total += n;
      if (this.burstEnded) {
        this.burstEnded = false;
        this.stats.rxYields++;
        return;
      }
      if (n < BATCH) return; // the queue ran dry
    }
    this.stats.rxBounded++;
  }

  /** Whether the device's poll handle keeps the Node process alive (default true). */
  ref(on: boolean): this {
    if (!this.closed_) this.tap.ref(this.fd, on);
    return this;
  }

  get closed(): boolean {
    return this.closed_;
  }

  /** Stop reading and close the fd (a device this link created disappears). */
  close(): void {
    if (this.closed_) return;
    this.flush();
    this.closed_ = true;
    this.tap.close(this.fd);
  }
}

// ── iproute2 helpers (for the CLI and the interop tests) ─────────────────────────────────────

/** Run `ip ...args`; throws with ip's own message on failure. */
export function ip(...args: string[]): string {
  try {
    return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`ip ${args.join(" ")}: ${(err.stderr ?? err.message).trim()}`);
  }
}

/** Give the kernel side of `dev` an address and bring it up (optionally inside namespace `netns`). */
export function configureKernelSide(dev: string, cidr: string, netns?: string): void {
  const { ip: addr, prefix } = cidrOrThrow(cidr);
  const n = netns ? ["-n", netns] : [];
  ip(...n, "addr", "replace", `${addr}/${prefix}`, "dev", dev);
  ip(...n, "link", "set", dev, "up");
}
