// A test bench in the style of smoltcp's socket tests: one Petrel stack (the "dut", 198.18.0.1)
// facing a scripted peer (host/sim/peer.ts, 198.18.0.2), with one fixture per state. The test sends
// crafted segments at explicit virtual times and expects the exact segment (or none) the dut sends.
import assert from "node:assert/strict";
import type { Clock } from "../../host/time/clock.ts";
import type { Profile } from "../../host/core.ts";
import type { ChannelLink } from "../../host/link/channel.ts";
import { buildArpFrame, flagsToString, parseFlags, type TcpOption, type TcpSegment } from "../../host/packet/packet.ts";
import { Peer } from "../../host/sim/peer.ts";
import type { Stack, Conn, Listener } from "../../host/stack/stack.ts";

export const DUT_IP = "198.18.0.1";
export const PEER_IP = "198.18.0.2";

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
  readonly clock: Clock;
  readonly link: ChannelLink;
  readonly stack: Stack;
  readonly peer: Peer;
  /** The peer's port and the dut's port of the connection under test. */
  peerPort = 40000;
  dutPort = 7;

  constructor(o: { profile?: Profile; seed?: number } = {}) {
    ({ clock: this.clock, link: this.link, stack: this.stack, peer: this.peer } =
      Peer.setup({ seed: o.seed ?? 7, ip: DUT_IP, peerIp: PEER_IP, core: { profile: o.profile } }));
    // teach the dut the peer's MAC up front (RFC 826: a request for our address adds the sender), so
    // that the dut's first segment leaves at once rather than after an ARP exchange
    this.peer.inject(buildArpFrame({ op: "request", senderMac: this.peer.mac, senderIp: PEER_IP, targetIp: DUT_IP }));
    this.clock.runFor(0);
    this.link.drain();
  }

  get now(): number { return this.clock.now; }

  /** Let virtual time pass (timers fire). */
  advance(ms: number): void { this.clock.runFor(ms); }

  /** Let the dut's delayed-ACK timer run out (DELACK_MS: in-order data is acked within it). */
  delack(): void { this.advance(this.stack.core.config().DELACK_MS); }

  /** The peer sends a segment now; the dut processes it before this returns. */
  send(s: SegSpec): void {
    this.peer.sendTcp({ sport: this.peerPort, dport: this.dutPort, seq: s.seq ?? 0, ack: s.ack ?? 0, flags: s.flags,
      win: s.win ?? 65535, urp: s.urp, payload: s.payload, options: s.options });
  }

  /** TCP segments the dut sent since the last look. */
  sent(): TcpSegment[] { return this.peer.tcpSegments().map((c) => c.tcp); }

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

  /** ESTABLISHED, then the app shuts down its side: FIN-WAIT-1 with our FIN (ISS+1) in flight. */
  finWait1(): ReturnType<Bench["established"]> {
    const e = this.established();
    e.conn.shutdown();
    this.expect({ flags: "F.", seq: e.iss + 1, ack: 1001 });
    return e;
  }

  /** FIN-WAIT-1 and the peer acks our FIN: FIN-WAIT-2. */
  finWait2(): ReturnType<Bench["established"]> {
    const e = this.finWait1();
    this.send({ flags: ".", seq: 1001, ack: e.iss + 2 });
    this.expectNothing();
    return e;
  }

  /** FIN-WAIT-1 and the peer's FIN,ACK: TIME-WAIT (peer's next seq 1002, ours ISS+2). */
  timeWait(): ReturnType<Bench["established"]> {
    const e = this.finWait1();
    this.send({ flags: "F.", seq: 1001, ack: e.iss + 2 });
    this.expect({ flags: ".", seq: e.iss + 2, ack: 1002 });
    return e;
  }

  /** ESTABLISHED and the peer's FIN: CLOSE-WAIT (peer's next seq 1002). */
  closeWait(): ReturnType<Bench["established"]> {
    const e = this.established();
    this.send({ flags: "F.", seq: 1001, ack: e.iss + 1 });
    this.expect({ flags: ".", seq: e.iss + 1, ack: 1002 });
    return e;
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
