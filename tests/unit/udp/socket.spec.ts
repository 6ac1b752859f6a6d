import { UDP_SOCKETS, UDP_QUEUE } from "../../../assembly/config";
import { C } from "../../../assembly/counters";
import { Err } from "../../../assembly/errors";
import { eventsInit, eventPop, eventHandle, eventArg } from "../../../assembly/storage/events";
import { Ev } from "../../../assembly/storage/events";
import { get16, get32 } from "../../../assembly/wire/bytes";
import { udpCheck } from "../../../assembly/wire/udp";
import {
  UDP_OWNER_APP, UDP_OWNER_DHCP, META_SRC_IP, META_SRC_PORT, META_FLAGS, META_LEN, META_TRUNCATED,
  udpInit, udpOpen, udpBind, udpConnect, udpSendTo, udpRecvFrom, udpClose, udpLocalPort, udpDeliver,
  udpLookup, udpSocketsInUse, udpOwner,
} from "../../../assembly/udp/socket";
import { ctr, scratch, txCount, txFrame, txLen } from "../helpers";
import { ME, PEER, setupIface } from "../iface/fixtures";

const T0: u32 = 1000;

function setup(): void {
  setupIface();
  eventsInit();
  udpInit();
}

function fill(n: i32, first: u8): usize {
  const p = scratch(n > 0 ? n : 1);
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>(first + <u8>i));
  return p;
}

describe("udp socket table", () => {
  it("open hands out distinct handles until the table is full (EMFILE), close frees a slot", () => {
    setup();
    const hs = new Array<i32>();
    for (let i = 0; i < UDP_SOCKETS; i++) { const h = udpOpen(UDP_OWNER_APP); expect(h).toBeGreaterThan(0); hs.push(h); }
    expect(udpOpen(UDP_OWNER_APP)).toBe(Err.EMFILE);
    expect(udpSocketsInUse()).toBe(UDP_SOCKETS);
    expect(udpClose(hs[0])).toBe(0);
    expect(udpOpen(UDP_OWNER_DHCP)).toBeGreaterThan(0);
  });
  it("a stale or forged handle is EBADF on every call", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    expect(udpClose(h)).toBe(0);
    const m = scratch(12);
    expect(udpBind(h, 5000)).toBe(Err.EBADF);
    expect(udpConnect(h, PEER, 7)).toBe(Err.EBADF);
    expect(udpSendTo(h, PEER, 7, m, 1, T0)).toBe(Err.EBADF);
    expect(udpRecvFrom(h, m, 1, m)).toBe(Err.EBADF);
    expect(udpClose(h)).toBe(Err.EBADF);
    expect(udpBind(0, 1)).toBe(Err.EBADF);
    expect(udpBind(-1, 1)).toBe(Err.EBADF);
    expect(udpBind(0x7fff, 1)).toBe(Err.EBADF);
    expect(udpBind(1 << 8 | 200, 1)).toBe(Err.EBADF);
    expect(udpOwner(h)).toBe(-1);
  });
  it("bind: a port taken by another socket is EADDRINUSE; binding twice is EINVAL", () => {
    setup();
    const a = udpOpen(UDP_OWNER_APP);
    const b = udpOpen(UDP_OWNER_APP);
    expect(udpBind(a, 5353)).toBe(0);
    expect(udpBind(b, 5353)).toBe(Err.EADDRINUSE);
    expect(udpBind(a, 5354)).toBe(Err.EINVAL);
    expect(udpLocalPort(a)).toBe(5353);
  });
  it("bind to port 0 picks distinct ephemeral ports in 49152..65535 (RFC 6056)", () => {
    setup();
    const a = udpOpen(UDP_OWNER_APP);
    const b = udpOpen(UDP_OWNER_APP);
    expect(udpBind(a, 0)).toBe(0);
    expect(udpBind(b, 0)).toBe(0);
    expect(udpLocalPort(a)).toBeGreaterThanOrEqual(49152);
    expect(udpLocalPort(b)).toBeGreaterThanOrEqual(49152);
    expect(udpLocalPort(a)).not.toBe(udpLocalPort(b));
  });
  it("a delivered datagram is read back with source, length and no truncation flag; READABLE once", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7);
    const i = udpLookup(7, PEER, 4000);
    expect(i).toBe(h & 0xff);
    expect(udpDeliver(i, PEER, 4000, fill(5, 0x41), 5)).toBe(true);
    expect(udpDeliver(i, PEER, 4001, fill(3, 0x61), 3)).toBe(true);
    expect(eventPop()).toBe(Ev.UDP_READABLE);
    expect(eventHandle()).toBe(h);
    expect(eventArg()).toBe(5);
    expect(eventPop()).toBe(0);                      // only on empty → not empty
    const buf = scratch(64); const meta = scratch(12);
    expect(udpRecvFrom(h, buf, 64, meta)).toBe(5);
    expect(load<u8>(buf)).toBe(0x41);
    expect(load<u8>(buf + 4)).toBe(0x45);
    expect(load<u32>(meta + META_SRC_IP)).toBe(PEER);
    expect(load<u16>(meta + META_SRC_PORT)).toBe(4000);
    expect(load<u16>(meta + META_FLAGS)).toBe(0);
    expect(load<u32>(meta + META_LEN)).toBe(5);
    expect(udpRecvFrom(h, buf, 64, meta)).toBe(3);
    expect(load<u16>(meta + META_SRC_PORT)).toBe(4001);
    expect(load<u8>(buf + 2)).toBe(0x63);
    expect(udpRecvFrom(h, buf, 64, meta)).toBe(Err.EAGAIN);
    expect(ctr(C.UDP_RX)).toBe(2);
  });
  it("a datagram longer than the buffer is truncated with the flag and the full length, never silently", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7);
    udpDeliver(h & 0xff, PEER, 9, fill(100, 0), 100);
    const buf = scratch(64, 0xee); const meta = scratch(12);
    expect(udpRecvFrom(h, buf, 10, meta)).toBe(10);
    expect(load<u16>(meta + META_FLAGS)).toBe(META_TRUNCATED);
    expect(load<u32>(meta + META_LEN)).toBe(100);
    expect(load<u8>(buf + 9)).toBe(9);
    expect(load<u8>(buf + 10)).toBe(0xee);           // nothing written past cap
    expect(udpRecvFrom(h, buf, 10, meta)).toBe(Err.EAGAIN); // the rest went with it
  });
  it("a full queue drops the datagram and counts DROP_UDP_QUEUE_FULL; reading makes room", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7);
    const per = 8 + 100;
    const fits = UDP_QUEUE / per;
    for (let k = 0; k < fits; k++) expect(udpDeliver(h & 0xff, PEER, 9, fill(100, <u8>k), 100)).toBe(true);
    expect(udpDeliver(h & 0xff, PEER, 9, fill(100, 0), 100)).toBe(false);
    expect(ctr(C.DROP_UDP_QUEUE_FULL)).toBe(1);
    const buf = scratch(128); const meta = scratch(12);
    expect(udpRecvFrom(h, buf, 128, meta)).toBe(100);
    expect(load<u8>(buf)).toBe(0);
    expect(udpDeliver(h & 0xff, PEER, 9, fill(100, 0), 100)).toBe(true);
    expect(udpRecvFrom(h, buf, 128, meta)).toBe(100);
    expect(load<u8>(buf)).toBe(1);                  // still oldest first
  });
  it("a connected socket takes only its peer's datagrams", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    expect(udpConnect(h, PEER, 53)).toBe(0);
    const port = <u16>udpLocalPort(h);
    expect(port).toBeGreaterThanOrEqual(49152);
    expect(udpLookup(port, PEER, 53)).toBe(h & 0xff);
    expect(udpLookup(port, PEER, 54)).toBe(-1);
    expect(udpLookup(port, PEER + 1, 53)).toBe(-1);
  });
  it("sendto emits one frame with a valid checksum from the bound port; EMSGSIZE past MTU − 28", () => {
    setup();
    const h = udpOpen(UDP_OWNER_APP);
    udpBind(h, 7777);
    // the peer's MAC is unknown: the datagram waits for ARP, an ARP request goes out
    const d = fill(20, 0x30);
    expect(udpSendTo(h, 0xc61200ff, 9, d, 20, T0)).toBe(20);       // subnet broadcast: no ARP
    expect(txCount()).toBe(1);
    const f = txFrame(0);
    expect(txLen(0)).toBe(14 + 20 + 8 + 20);
    expect(load<u8>(f)).toBe(0xff);
    expect(get16(f + 34)).toBe(7777);
    expect(get16(f + 36)).toBe(9);
    expect(udpCheck(f + 34, 28, ME, 0xc61200ff)).toBe(20);
    expect(load<u8>(f + 42)).toBe(0x30);
    expect(udpSendTo(h, PEER, 9, d, 1473, T0)).toBe(Err.EMSGSIZE);
    expect(udpSendTo(h, PEER, 0, d, 1, T0)).toBe(Err.EINVAL);
    expect(udpSendTo(h, 0, 0, d, 1, T0)).toBe(Err.ENOTCONN);
    expect(ctr(C.UDP_TX)).toBe(1);
  });
  it("sendto from an unbound socket binds an ephemeral port first", () => {
    setup();
    const h = udpOpen(UDP_OWNER_DHCP);
    expect(udpSendTo(h, 0xffffffff, 67, fill(4, 1), 4, T0)).toBe(4);
    const f = txFrame(0);
    expect(<i32>get16(f + 34)).toBe(udpLocalPort(h));
    expect(get32(f + 30)).toBe(0xffffffff);
  });
});
