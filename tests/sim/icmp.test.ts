// ICMP errors reach TCP (RFC 9293 3.9.2.2 MUST-54, RFC 1122 4.2.3.9, RFC 5927, RFC 1191): iface/
// hands a Destination Unreachable up to the connection that sent the quoted segment; the quoted
// sequence number must be in flight. Hard errors (port, protocol) end an open in SYN-SENT; soft
// ones (net, host) name the error when the connection times out; fragmentation needed lowers the
// MSS. An ARP failure ends connect with EHOSTUNREACH, not ETIMEDOUT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bench, DUT_IP, PEER_IP } from "./fixture.ts";
import { buildEthernet, buildIpv4, buildTcp, checksum, ETHERTYPE_IPV4, IPPROTO_ICMP } from "../../host/packet/packet.ts";
import type { TcpInfo } from "../../host/core.ts";
import type { Conn } from "../../host/stack/stack.ts";
import { PetrelStack } from "../../host/node/net.ts";

const inf = (c: Conn): Required<TcpInfo> => c.info() as Required<TcpInfo>;
const IPPROTO_TCP = 6;

/** A Destination Unreachable (code) from `from` quoting the dut's segment sport → dport at seq. */
function unreachable(b: Bench, code: number, q: { sport: number; dport: number; seq: number }, mtu = 0, from = PEER_IP): void {
  icmpError(b, 3, code, q, mtu, from);
}

/** An ICMP error of `type` (3 unreachable, 11 time exceeded, 12 parameter problem) quoting the dut's segment. */
function icmpError(b: Bench, type: number, code: number, q: { sport: number; dport: number; seq: number }, mtu = 0, from = PEER_IP): void {
  const quoted = buildIpv4({ src: DUT_IP, dst: PEER_IP, proto: IPPROTO_TCP, payload: buildTcp({ src: DUT_IP, dst: PEER_IP, ...q, flags: "S" }) }).slice(0, 28);
  const icmp = new Uint8Array(8 + quoted.length);
  icmp[0] = type; icmp[1] = code;
  icmp[6] = mtu >> 8; icmp[7] = mtu & 0xff;
  icmp.set(quoted, 8);
  const c = checksum(icmp);
  icmp[2] = c >> 8; icmp[3] = c & 0xff;
  const ip = buildIpv4({ src: from, dst: DUT_IP, proto: IPPROTO_ICMP, payload: icmp });
  b.peer.inject(buildEthernet({ dst: b.stack.mac, src: b.peer.mac, type: ETHERTYPE_IPV4, payload: ip }));
  b.advance(0);
}

test("RFC 1122 4.2.3.9 / RFC 5927 port unreachable ends an open in SYN-SENT with ECONNREFUSED; one quoting a sequence number not in flight is ignored", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  unreachable(b, 3, { sport: b.dutPort, dport: b.peerPort, seq: iss + 5 });    // not our SYN's sequence number
  assert.equal(conn.state, "SYN_SENT");
  assert.equal(b.counters().DROP_ICMP_STALE, 1);
  unreachable(b, 3, { sport: b.dutPort, dport: b.peerPort + 1, seq: iss });    // another connection's
  assert.equal(conn.state, "SYN_SENT");
  assert.equal(b.counters().DROP_ICMP_STALE, 2);
  unreachable(b, 3, { sport: b.dutPort, dport: b.peerPort, seq: iss });
  assert.equal(conn.error, "ECONNREFUSED");
  assert.equal(b.counters().TCP_ICMP_ERRORS, 1);
});

test("RFC 1122 4.2.3.9 protocol unreachable in SYN-SENT is hard too (ECONNREFUSED); in ESTABLISHED a port unreachable is soft (RFC 5927 4.1, MUST-56)", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  unreachable(b, 2, { sport: b.dutPort, dport: b.peerPort, seq: iss });
  assert.equal(conn.error, "ECONNREFUSED");
  const b2 = new Bench();
  const e = b2.established();
  e.conn.write("data");
  b2.sent();
  unreachable(b2, 3, { sport: b2.dutPort, dport: b2.peerPort, seq: e.iss + 1 });
  assert.equal(e.conn.state, "ESTABLISHED");
  assert.equal(e.conn.error, null);
});

test("RFC 1122 4.2.3.9 host unreachable is soft: SYN-SENT goes on retrying, and the open ends with EHOSTUNREACH instead of ETIMEDOUT (R2)", () => {
  const b = new Bench();
  const { conn, iss } = b.synSent();
  unreachable(b, 1, { sport: b.dutPort, dport: b.peerPort, seq: iss }, 0, "198.18.0.254");
  assert.equal(conn.state, "SYN_SENT", "a soft error does not abort (MUST-56)");
  b.advance(1000);
  b.expect({ flags: "S", seq: iss });
  for (let i = 0; i < 400 && !conn.error; i++) b.advance(1000);
  assert.equal(conn.error, "EHOSTUNREACH");
});

test("RFC 1122 4.2.3.9 net unreachable on an established connection: data keeps being retransmitted, and R2 reports ENETUNREACH; an ACK in between clears it", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write("first");
  b.sent();
  unreachable(b, 0, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 });
  b.send({ flags: ".", seq: 1001, ack: iss + 6 });                       // progress: the path works after all
  conn.setOption("USER_TIMEOUT", 30_000);
  conn.write("second");
  b.sent();
  for (let i = 0; i < 100 && !conn.error; i++) b.advance(1000);
  assert.equal(conn.error, "ETIMEDOUT", "the stale soft error was cleared by the ACK");
  const b2 = new Bench();
  const e2 = b2.established();
  e2.conn.setOption("USER_TIMEOUT", 30_000);
  e2.conn.write("data");
  b2.sent();
  unreachable(b2, 0, { sport: b2.dutPort, dport: b2.peerPort, seq: e2.iss + 1 });
  assert.equal(e2.conn.state, "ESTABLISHED");
  for (let i = 0; i < 100 && !e2.conn.error; i++) b2.advance(1000);
  assert.equal(e2.conn.error, "ENETUNREACH");
});

test("RFC 1191 fragmentation needed with a quoted sequence number in flight lowers the MSS to MTU − 40 and resends at once; not below 536", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(3000).fill(0x41));
  const first = b.sent();
  assert.equal(first[0]!.payload.length, 1460);
  unreachable(b, 4, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 + 5000 }, 1000);   // not in flight
  assert.equal(inf(conn).mss, 1460);
  unreachable(b, 4, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 }, 1000);
  assert.equal(inf(conn).mss, 960);
  const again = b.sent();
  assert.ok(again.length >= 1 && again[0]!.seq === (iss + 1) >>> 0, "resent from SND.UNA at once");
  for (const s of again) assert.ok(s.payload.length <= 960, `segments fit the path (${s.payload.length})`);
  assert.equal(b.counters().TCP_PMTU_UPDATES, 1);
  unreachable(b, 4, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 }, 68);
  assert.equal(inf(conn).mss, 536, "a forged tiny MTU is floored at 576");
});

test("RFC 1122 4.2.3.9 an ARP failure ends connect with EHOSTUNREACH within seconds (the second failed resolution), not ETIMEDOUT after minutes", () => {
  const b = new Bench();
  const conn = b.stack.connect("198.18.0.77", 80);                 // nobody answers ARP for it
  for (let i = 0; i < 100 && !conn.error; i++) b.advance(100);
  assert.equal(conn.error, "EHOSTUNREACH");
  assert.equal(b.now, 7000, "at the SYN retransmission after the second failed resolution (3 s + 3 s)");
  assert.ok(b.counters().ARP_FAILED >= 2);
});

/** Advance in 100 ms steps until `done` (bounded by `maxMs`). */
function until(b: Bench, done: () => boolean, maxMs: number): void {
  for (let t = 0; t < maxMs && !done(); t += 100) b.advance(100);
}

test("RFC 1122 4.2.3.5 / 4.2.3.9 a host unreachable is reported to the app as a soft error when R1 (3 retransmissions) is reached, the connection kept; R2 ends it with EHOSTUNREACH", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  const soft: string[] = [];
  conn.on("softerror", (code) => soft.push(code));
  conn.write("data");
  b.sent();
  unreachable(b, 1, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 }, 0, "198.18.0.254");
  assert.equal(inf(conn).softError, "EHOSTUNREACH", "tcp_info shows the pending soft error at once");
  until(b, () => inf(conn).timeouts >= 2, 60_000);
  assert.deepEqual(soft, [], "not before R1");
  until(b, () => inf(conn).timeouts >= 3, 60_000);
  assert.deepEqual(soft, ["EHOSTUNREACH"], "reported once R1 is reached");
  assert.equal(conn.softError, "EHOSTUNREACH");
  assert.equal(conn.state, "ESTABLISHED", "a soft error never aborts (MUST-56)");
  assert.equal(conn.error, null);
  until(b, () => conn.error !== null, 1_000_000);
  assert.equal(conn.error, "EHOSTUNREACH", "R2 names the soft error");
  assert.deepEqual(soft, ["EHOSTUNREACH"], "one report per error");
});

test("RFC 1122 4.2.3.5 / 4.2.3.9 a soft error arriving after R1 was reached is reported at once; without a soft error R1 reports nothing", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  const soft: string[] = [];
  conn.on("softerror", (code) => soft.push(code));
  conn.write("data");
  b.sent();
  until(b, () => inf(conn).timeouts >= 4, 120_000);
  assert.deepEqual(soft, [], "R1 with no soft error pending: nothing to report");
  assert.equal(inf(conn).softError, null);
  unreachable(b, 0, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 }, 0, "198.18.0.254");
  assert.deepEqual(soft, ["ENETUNREACH"]);
  assert.equal(conn.state, "ESTABLISHED");
});

test("RFC 5927 / RFC 1122 3.2.2 Time Exceeded and Parameter Problem quoting our segment reach TCP as soft errors (EHOSTUNREACH, EPROTO): SYN-SENT keeps trying, R2 names them", () => {
  for (const [type, name] of [[11, "EHOSTUNREACH"], [12, "EPROTO"]] as const) {
    const b = new Bench();
    const { conn, iss } = b.synSent();
    icmpError(b, type, 0, { sport: b.dutPort, dport: b.peerPort, seq: iss + 9 });   // not in flight
    assert.equal(b.counters().DROP_ICMP_STALE, 1, `type ${type}: the sequence number is checked`);
    icmpError(b, type, 0, { sport: b.dutPort, dport: b.peerPort, seq: iss }, 0, "198.18.0.254");
    assert.equal(b.counters().TCP_ICMP_ERRORS, 1);
    assert.equal(conn.state, "SYN_SENT", `type ${type} does not abort (MUST-56)`);
    assert.equal(inf(conn).softError, name);
    b.advance(1000);
    b.expect({ flags: "S", seq: iss });
    until(b, () => conn.error !== null, 400_000);
    assert.equal(conn.error, name, `type ${type}: R2 reports ${name}`);
  }
});

/** The peer acknowledges everything the dut sends until its send ring is empty (bounded). */
function ackAll(b: Bench, conn: Conn): void {
  for (let i = 0; i < 50; i++) {
    const x = inf(conn);
    if (x.sndUna === x.sndMax && x.txQueued === 0) return;
    b.send({ flags: ".", seq: 1001, ack: x.sndMax });
    b.advance(1);
  }
  assert.fail("the dut's data was not all acknowledged");
}

test("RFC 1191 6.3 ten minutes after the path MTU was last lowered the MSS the handshake agreed is tried again; a path still too small lowers it again", () => {
  const b = new Bench();
  const { conn, iss } = b.established();
  conn.write(new Uint8Array(2000).fill(0x42));
  b.sent();
  unreachable(b, 4, { sport: b.dutPort, dport: b.peerPort, seq: iss + 1 }, 1200);
  assert.equal(inf(conn).mss, 1160);
  ackAll(b, conn);
  b.advance(60_000);
  b.sent();
  conn.write(new Uint8Array(500).fill(0x42));
  const seq = b.sent().filter((s) => s.payload.length > 0)[0]!.seq;
  unreachable(b, 4, { sport: b.dutPort, dport: b.peerPort, seq }, 1000);   // a minute later: lower again, the timer restarts
  assert.equal(inf(conn).mss, 960);
  ackAll(b, conn);
  b.advance(600_000 - 100);
  assert.equal(inf(conn).mss, 960, "not before 10 minutes after the last decrease");
  b.advance(100);
  assert.equal(inf(conn).mss, 1460, "back to the agreed MSS");
  b.sent();
  conn.write(new Uint8Array(3000).fill(0x43));
  b.advance(10);   // the ARP entry went stale in 10 idle minutes: asked again
  const out = b.sent().filter((s) => s.payload.length > 0);
  assert.equal(out[0]!.payload.length, 1460, "full-sized segments go out again (with DF set)");
  unreachable(b, 4, { sport: b.dutPort, dport: b.peerPort, seq: out[0]!.seq }, 1000);
  assert.equal(inf(conn).mss, 960, "and a path still too small lowers it again");
});

test("RFC 1122 4.2.3.9 the net-like Socket emits softError (code EHOSTUNREACH) when R1 is reached on an open that a host unreachable answered, and stays connecting", () => {
  const b = new Bench();
  const errors: string[] = [];
  const soft: string[] = [];
  const s = PetrelStack.over(b.stack).connect(b.peerPort, PEER_IP);
  s.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? ""));
  s.on("softError", (e: NodeJS.ErrnoException) => soft.push(e.code ?? ""));
  const syn = b.expect({ flags: "S" });
  b.dutPort = syn.sport;
  unreachable(b, 1, { sport: syn.sport, dport: b.peerPort, seq: syn.seq }, 0, "198.18.0.254");
  until(b, () => soft.length > 0, 60_000);
  assert.deepEqual(soft, ["EHOSTUNREACH"]);
  assert.equal(s.connecting, true, "still trying");
  assert.deepEqual(errors, []);
  s.destroy();
});
