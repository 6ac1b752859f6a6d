import { C } from "../../../assembly/counters";
import { Err } from "../../../assembly/errors";
import { eventsInit, eventPop, eventArg, eventHandle } from "../../../assembly/storage/events";
import { Ev } from "../../../assembly/storage/events";
import { ifaceInput, icmpErrProto } from "../../../assembly/iface/input";
import { get16, put16 } from "../../../assembly/wire/bytes";
import { csumAdd, csumFinish, csumPseudo } from "../../../assembly/wire/checksum";
import { icmpCheck } from "../../../assembly/wire/icmp";
import { UDP_OWNER_APP, udpInit, udpOpen, udpBind, udpConnect, udpRecvFrom, udpSendTo } from "../../../assembly/udp/socket";
import { udpRx, udpIcmpRx, udpInputInit } from "../../../assembly/udp/input";
import { ctr, put, scratch, txCount, txFrame, txLen, txClear } from "../helpers";
import { ME, PEER, arpFrame, eth, ipFrame, setupIface } from "../iface/fixtures";

const T0: u32 = 5000;

function setup(): void {
  setupIface();
  eventsInit();
  udpInit();
  udpInputInit();
  ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0); // learn PEER's MAC (tx 0 = ARP reply)
  txClear();
}

/** A UDP frame from PEER:sport to dst:dport with `n` data bytes (0x40 + i), checksum filled. */
function udpFrame(dst: u32, sport: u16, dport: u16, n: i32, broadcastMac: bool = false): usize {
  const f = ipFrame(PEER, dst, 17, 8 + n);
  if (broadcastMac) eth(f, true, 0x0800);
  const u = f + 34;
  put16(u, sport); put16(u + 2, dport); put16(u + 4, <u16>(8 + n)); put16(u + 6, 0);
  for (let i = 0; i < n; i++) store<u8>(u + 8 + <usize>i, <u8>(0x40 + i));
  put16(u + 6, csumFinish(csumAdd(csumPseudo(PEER, dst, 17, <u32>(8 + n)), u, 8 + n)));
  return f;
}

/** What index.ts does with a frame, for UDP: rx → iface → udp. */
function rx(f: usize, len: i32, now: u32 = T0): i32 {
  const r = ifaceInput(f, len, now);
  if (r == 17) return udpRx(now);
  if (r == 1 && icmpErrProto() == 17) return udpIcmpRx();
  return r;
}

describe("udp input", () => {
  it("RFC 768: a datagram for a bound port is queued with its source; UDP_READABLE", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7);
    expect(rx(udpFrame(ME, 4000, 7, 5), 14 + 20 + 13)).toBe(0);
    expect(ctr(C.UDP_RX)).toBe(1);
    expect(eventPop()).toBe(Ev.UDP_READABLE);
    expect(eventHandle()).toBe(h);
    const b = scratch(16); const m = scratch(12);
    expect(udpRecvFrom(h, b, 16, m)).toBe(5);
    expect(load<u8>(b + 4)).toBe(0x44);
    expect(load<u32>(m)).toBe(PEER);
    expect(load<u16>(m, 4)).toBe(4000);
  });
  it("RFC 1122 4.1.3.4: a bad checksum is counted DROP_UDP_CHECKSUM and not queued", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7);
    const f = udpFrame(ME, 4000, 7, 5);
    store<u8>(f + 42, 0x99);
    expect(rx(f, 47)).toBeLessThan(0);
    expect(ctr(C.DROP_UDP_CHECKSUM)).toBe(1);
    expect(ctr(C.UDP_RX)).toBe(0);
    expect(txCount()).toBe(0);                       // no ICMP for a corrupt datagram
  });
  it("RFC 768: a length field past the IP payload is counted DROP_UDP_SHORT", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7);
    const f = udpFrame(ME, 4000, 7, 5);
    put16(f + 38, 14);
    expect(rx(f, 47)).toBeLessThan(0);
    expect(ctr(C.DROP_UDP_SHORT)).toBe(1);
  });
  it("RFC 1122 4.1.3.1: a closed port is answered with port unreachable quoting the datagram", () => {
    setup();
    const f = udpFrame(ME, 4000, 9999, 20);
    expect(rx(f, 14 + 20 + 28)).toBeLessThan(0);
    expect(ctr(C.DROP_UDP_NO_SOCKET)).toBe(1);
    expect(ctr(C.UDP_UNREACH_TX)).toBe(1);
    expect(txCount()).toBe(1);
    const r = txFrame(0);
    expect(txLen(0)).toBe(14 + 20 + 8 + 28);
    expect(load<u8>(r + 23)).toBe(<u8>1);           // ICMP
    expect(load<u8>(r + 34)).toBe(<u8>3);
    expect(load<u8>(r + 35)).toBe(<u8>3);           // port unreachable
    expect(icmpCheck(r + 34, 36)).toBe(true);
    expect(get16(r + 42 + 20 + 2)).toBe(<u16>9999); // the quoted UDP header
  });
  it("RFC 1122 3.2.2: port unreachables are rate-limited (one per UDP_UNREACH_MS)", () => {
    setup();
    rx(udpFrame(ME, 4000, 9999, 1), 43, T0);
    rx(udpFrame(ME, 4000, 9999, 1), 43, T0 + 50);
    expect(ctr(C.UDP_UNREACH_TX)).toBe(1);
    expect(ctr(C.UDP_UNREACH_LIMITED)).toBe(1);
    rx(udpFrame(ME, 4000, 9999, 1), 43, T0 + 100);
    expect(ctr(C.UDP_UNREACH_TX)).toBe(2);
    expect(ctr(C.DROP_UDP_NO_SOCKET)).toBe(3);
  });
  it("RFC 1122 3.3.6: broadcasts (255.255.255.255, the subnet's) reach a bound socket", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 67);
    expect(rx(udpFrame(0xffffffff, 68, 67, 3, true), 45)).toBe(0);
    expect(rx(udpFrame(0xc61200ff, 68, 67, 3, true), 45)).toBe(0);
    expect(ctr(C.UDP_RX)).toBe(2);
  });
  it("RFC 1122 3.2.2: a broadcast for a closed port gets no port unreachable", () => {
    setup();
    rx(udpFrame(0xffffffff, 68, 9999, 3, true), 45);
    rx(udpFrame(0xc61200ff, 68, 9999, 3, true), 45);
    expect(ctr(C.DROP_UDP_NO_SOCKET)).toBe(2);
    expect(txCount()).toBe(0);
  });
  it("a TCP segment to a broadcast address is still not for us", () => {
    setup();
    const f = ipFrame(PEER, 0xffffffff, 6, 20);
    expect(ifaceInput(f, 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_NOT_US)).toBe(1);
  });
  it("RFC 1122 4.1.3.3: an ICMP port unreachable quoting our datagram reaches its socket once", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 5000);
    const d = scratch(4, 0x61);
    expect(udpSendTo(h, PEER, 9, d, 4, T0)).toBe(4);
    const sent = txFrame(0);
    // the peer's answer: type 3 code 3 quoting our IP header + 8 bytes
    const f = ipFrame(PEER, ME, 1, 8 + 28);
    const p = f + 34;
    put(p, [3, 3, 0, 0, 0, 0, 0, 0]);
    memory.copy(p + 8, sent + 14, 28);
    put16(p + 2, csumFinish(csumAdd(0, p, 36)));
    expect(rx(f, 14 + 20 + 36)).toBe(0);
    expect(ctr(C.UDP_ICMP_ERRORS)).toBe(1);
    expect(eventPop()).toBe(Ev.UDP_ERROR);
    expect(eventHandle()).toBe(h);
    expect(eventArg()).toBe(Err.ECONNREFUSED);
    const b = scratch(8); const m = scratch(12);
    expect(udpRecvFrom(h, b, 8, m)).toBe(Err.ECONNREFUSED);
    expect(udpRecvFrom(h, b, 8, m)).toBe(Err.EAGAIN);
  });
  it("RFC 5927: an ICMP error quoting a port with no socket (or another peer of a connected one) is stale", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpConnect(h, PEER, 53);
    const d = scratch(4, 0x61);
    udpSendTo(h, 0, 0, d, 4, T0);
    const sent = txFrame(0);
    put16(sent + 14 + 20 + 2, 54);                  // quote a different destination port
    const f = ipFrame(PEER, ME, 1, 8 + 28);
    const p = f + 34;
    put(p, [3, 3, 0, 0, 0, 0, 0, 0]);
    memory.copy(p + 8, sent + 14, 28);
    put16(p + 2, csumFinish(csumAdd(0, p, 36)));
    expect(rx(f, 14 + 20 + 36)).toBeLessThan(0);
    expect(ctr(C.DROP_ICMP_STALE)).toBe(1);
    expect(eventPop()).toBe(0);
  });
});
