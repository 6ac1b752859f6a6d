// A test bench in the style of smoltcp's socket tests and gVisor's link/channel: one Petrel stack
// (the "dut", 198.18.0.1) on a channel link whose far end is the test, playing a scripted peer
// (198.18.0.2). The test sends crafted segments at explicit virtual times and expects the exact
// segment (or none) the stack answers with.
import assert from "node:assert/strict";
import { Clock } from "../../host/clock.ts";
import type { Profile } from "../../host/core.ts";
import { ChannelLink, type CapturedFrame } from "../../host/link/channel.ts";
import { buildArpFrame, buildTcpFrame, flagsToString, parseFlags, type TcpOption, type TcpSegment } from "../../host/packet.ts";
import { Stack, type Conn, type Listener } from "../../host/stack.ts";

export const DUT_IP = "198.18.0.1";
export const DUT_MAC = "02:00:00:00:00:01";
export const PEER_IP = "198.18.0.2";
export const PEER_MAC = "02:00:00:00:00:02";

export interface SegSpec {
  flags: string;              // tcpdump letters: "S", "S.", ".", "P.", "F.", "R", "R.", "FP." …
  seq?: number;
  ack?: number;
  win?: number;
  urp?: number;
  payload?: Uint8Array | string;
  options?: TcpOption[];
}

export class Bench {
  readonly clock = new Clock(0);
  readonly link = new ChannelLink(this.clock);
  readonly stack: Stack;
  /** The peer's port and the dut's port of the connection under test. */
  peerPort = 40000;
  dutPort = 7;

  constructor(o: { profile?: Profile; seed?: number } = {}) {
    this.stack = new Stack({ name: "dut", mac: DUT_MAC, ip: DUT_IP, prefix: 24, seed: o.seed ?? 7, clock: this.clock, core: { profile: o.profile } });
    this.stack.attach(this.link);
    // teach the dut the peer's MAC (RFC 826: a request for our address adds the sender), drop the reply
    this.link.inject(buildArpFrame({ op: "request", senderMac: PEER_MAC, senderIp: PEER_IP, targetIp: DUT_IP }));
    this.clock.runFor(0);
    this.link.drain();
  }

  get now(): number { return this.clock.now; }

  /** Let virtual time pass (timers fire). */
  advance(ms: number): void { this.clock.runFor(ms); }

  /** The peer sends a segment now; the dut processes it before this returns. */
  send(s: SegSpec): void {
    this.link.inject(buildTcpFrame({
      src: PEER_IP, dst: DUT_IP, srcMac: PEER_MAC, dstMac: DUT_MAC,
      sport: this.peerPort, dport: this.dutPort,
      seq: s.seq ?? 0, ack: s.ack ?? 0, flags: s.flags, win: s.win ?? 65535, urp: s.urp, payload: s.payload, options: s.options,
    }));
    this.clock.runFor(0);
  }

  /** TCP frames the dut sent since the last look. */
  sent(): TcpSegment[] {
    return this.link.drain().filter((c: CapturedFrame) => c.parsed.tcp).map((c) => c.parsed.tcp!);
  }

  /** Expect exactly one segment from the dut with these fields (and return it). */
  expect(s: Partial<SegSpec> & { flags: string; len?: number }): TcpSegment {
    const out = this.sent();
    assert.equal(out.length, 1, `expected one segment [${s.flags}], got ${out.length}: ${describe(out)}`);
    const seg = out[0]!;
    assert.equal(flagsToString(seg.flags), flagsToString(parseFlags(s.flags)), `flags of ${describe(out)}`);
    if (s.seq !== undefined) assert.equal(seg.seq, s.seq >>> 0, `seq of ${describe(out)}`);
    if (s.ack !== undefined) assert.equal(seg.ack, s.ack >>> 0, `ack of ${describe(out)}`);
    if (s.win !== undefined) assert.equal(seg.win, s.win, `window of ${describe(out)}`);
    if (s.len !== undefined) assert.equal(seg.payload.length, s.len, `length of ${describe(out)}`);
    if (s.payload !== undefined) assert.equal(Buffer.from(seg.payload).toString(), s.payload.toString());
    assert.ok(seg.checksumOk, "the dut's checksum verifies");
    return seg;
  }

  /** Expect no segment from the dut. */
  expectNothing(): void {
    const out = this.sent();
    assert.equal(out.length, 0, `expected nothing, got ${describe(out)}`);
  }

  counters(): Record<string, number> { return this.stack.counters(); }

  // ── fixtures: one per state, as smoltcp's tests have ──────────────────────────────────────
  /** The dut listens on dutPort. */
  listen(backlog = 4, autoAccept = true): Listener {
    return this.stack.listen(this.dutPort, backlog, undefined, { autoAccept });
  }

  /** LISTEN + the peer's SYN: the dut is in SYN-RECEIVED; returns the dut's ISS. */
  synReceived(peerIss = 1000, opts: TcpOption[] = [{ kind: "mss", value: 1460 }]): { listener: Listener; iss: number } {
    const listener = this.listen();
    this.send({ flags: "S", seq: peerIss, options: opts });
    const synack = this.expect({ flags: "S.", ack: peerIss + 1 });
    return { listener, iss: synack.seq };
  }

  /** A passive connection in ESTABLISHED. Peer's next seq = 1001, dut's next seq = iss + 1. */
  established(peerIss = 1000): { conn: Conn; listener: Listener; iss: number; peerNxt: number } {
    const { listener, iss } = this.synReceived(peerIss);
    this.send({ flags: ".", seq: peerIss + 1, ack: iss + 1 });
    this.expectNothing();
    const conn = listener.accepted[0];
    assert.ok(conn, "accepted");
    assert.equal(conn.state, "ESTABLISHED");
    return { conn, listener, iss, peerNxt: peerIss + 1 };
  }

  /** An active open from the dut: SYN-SENT; returns the conn and the dut's ISS. */
  synSent(): { conn: Conn; iss: number } {
    const conn = this.stack.connect(PEER_IP, this.peerPort);
    const syn = this.expect({ flags: "S" });
    this.dutPort = syn.sport;
    return { conn, iss: syn.seq };
  }
}

export function describe(segs: TcpSegment[]): string {
  return segs.map((s) => `[${flagsToString(s.flags)}] seq ${s.seq} ack ${s.ack} win ${s.win} len ${s.payload.length}`).join("; ") || "nothing";
}
