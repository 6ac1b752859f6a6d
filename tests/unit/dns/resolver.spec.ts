import { C } from "../../../assembly/counters";
import { Err } from "../../../assembly/errors";
import { eventsInit, eventPop, eventArg, eventHandle, Ev } from "../../../assembly/storage/events";
import { ifaceInput } from "../../../assembly/iface/input";
import { get16, put16 } from "../../../assembly/wire/bytes";
import { csumAdd, csumFinish, csumPseudo } from "../../../assembly/wire/checksum";
import { udpInit, udpSocketsInUse } from "../../../assembly/udp/socket";
import { udpRx, udpInputInit } from "../../../assembly/udp/input";
import { isnInit } from "../../../assembly/tcp/isn";
import { tcbPoolInit } from "../../../assembly/tcp/tcb";
import { dnsInit, dnsSetServer, dnsQuery, dnsResult, dnsClose, dnsRx, dnsTcpRx, dnsPoll, dnsQueriesInUse } from "../../../assembly/dns/resolver";
import { ctr, put, scratch, txCount, txFrame, txClear } from "../helpers";
import { learnedDnsSet } from "../../../assembly/iface/address";
import { ME, PEER, arpFrame, ipFrame, setupIface } from "../iface/fixtures";

const T0: u32 = 5000;
const OTHER: u32 = 0xc6120003;

function setup(): void {
  setupIface();
  eventsInit();
  udpInit();
  udpInputInit();
  isnInit(1, 2);
  dnsInit();
  ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);   // learn PEER's MAC
  ifaceInput(arpFrame(1, 3, OTHER, ME), 42, T0);
  txClear();
  dnsSetServer(0, PEER);
}

function name(s: string): usize {
  const p = scratch(s.length);
  for (let i = 0; i < s.length; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
  return p;
}
function query(s: string = "a.test", now: u32 = T0): i32 { return dnsQuery(name(s), s.length, now); }

// the last query sent: its frame's UDP source port and DNS id
function lastFrame(): usize { return txFrame(txCount() - 1); }
function sentPort(): u16 { return get16(lastFrame() + 34); }
function sentId(): u16 { return get16(lastFrame() + 42); }

/** A reply for "a.test" with id, rcode and one A record 198.18.0.5 TTL 60 (ancount 0 unless rcode 0). */
function reply(id: u16, rcode: u8 = 0, last: u8 = 5): usize {
  const d = scratch(40);
  put(d, [<u8>(id >> 8), <u8>id, 0x81, 0x80 | rcode, 0, 1, 0, rcode == 0 ? 1 : 0, 0, 0, 0, 0,
          1, 0x61, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1,
          0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 0xc6, 0x12, 0, last]);
  return d;
}
/** Deliver n bytes of DNS message d from src:sport to our dport, as index.ts does. */
function deliver(d: usize, n: i32, dport: u16, src: u32 = PEER, sport: u16 = 53, now: u32 = T0, hook: bool = true): void {
  const f = ipFrame(src, ME, 17, 8 + n);
  const u = f + 34;
  put16(u, sport); put16(u + 2, dport); put16(u + 4, <u16>(8 + n)); put16(u + 6, 0);
  memory.copy(u + 8, d, <usize>n);
  put16(u + 6, csumFinish(csumAdd(csumPseudo(src, ME, 17, <u32>(8 + n)), u, 8 + n)));
  if (ifaceInput(f, 14 + 20 + 8 + n, now) == 17) udpRx(now);
  if (hook) dnsRx(now);
}
/** Drain events up to the first DNS_RESULT: its arg (count or error), or 999 when none. */
function result(): i32 {
  for (let k = 0; k < 64; k++) {
    const kind = eventPop();
    if (kind == 0) return 999;
    if (kind == Ev.DNS_RESULT) return eventArg();
  }
  return 999;
}

describe("dns resolver", () => {
  it("RFC 1035 7.2: a query goes to the server's port 53; the answer comes as DNS_RESULT", () => {
    setup();
    const sent = ctr(C.DNS_QUERIES_TX);
    const q = query();
    expect(q).toBeGreaterThan(0);
    expect(txCount()).toBe(1);
    expect(ctr(C.DNS_QUERIES_TX)).toBe(sent + 1);
    expect(get16(lastFrame() + 36)).toBe(53);
    deliver(reply(sentId()), 40, sentPort());
    expect(result()).toBe(1);
    expect(eventHandle()).toBe(q);
    const out = scratch(16);
    expect(dnsResult(q, out, 16)).toBe(1);
    expect(load<u32>(out)).toBe(60);
    expect(load<u32>(out + 4)).toBe(0xc6120005);
    expect(udpSocketsInUse()).toBe(0);
    expect(dnsClose(q)).toBe(0);
    expect(dnsResult(q, out, 16)).toBe(Err.EBADF);
    expect(dnsQueriesInUse()).toBe(0);
  });
  it("rx() calls the hook of the transport that came: the TCP hook leaves a UDP reply to the UDP hook", () => {
    setup();
    const q = query();
    deliver(reply(sentId()), 40, sentPort(), PEER, 53, T0, false);
    dnsTcpRx(T0);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
    expect(ctr(C.DNS_REPLIES)).toBe(0);
    dnsRx(T0);
    expect(dnsResult(q, scratch(16), 16)).toBe(1);
  });
  it("RFC 5452 9.2: id and source port are drawn anew for every query", () => {
    setup();
    query(); const p1 = sentPort(), i1 = sentId();
    query("b.test"); const p2 = sentPort(), i2 = sentId();
    expect(p1).not.toBe(p2);
    expect(i1).not.toBe(i2);
    expect(p1).toBeGreaterThanOrEqual(1024);
  });
  it("RFC 5452 9.1: a reply with another id is dropped (DROP_DNS_ID); the query keeps waiting", () => {
    setup();
    const q = query();
    deliver(reply(sentId() ^ 1), 40, sentPort());
    expect(ctr(C.DROP_DNS_ID)).toBe(1);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
    deliver(reply(sentId()), 40, sentPort());
    expect(dnsResult(q, scratch(16), 16)).toBe(1);
  });
  it("RFC 5452 9.1: a reply from another port or another address is dropped (DROP_DNS_SOURCE)", () => {
    setup();
    const q = query();
    deliver(reply(sentId()), 40, sentPort(), PEER, 5353);
    deliver(reply(sentId()), 40, sentPort(), OTHER, 53);
    expect(ctr(C.DROP_DNS_SOURCE)).toBe(2);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
  });
  it("RFC 1035 4.1.4: a reply with a compression loop is dropped (DROP_DNS_MALFORMED)", () => {
    setup();
    const q = query();
    const d = reply(sentId()); put(d + 24, [0xc0, 24]);
    deliver(d, 40, sentPort());
    expect(ctr(C.DROP_DNS_MALFORMED)).toBe(1);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
  });
  it("RFC 1035 4.2.1: a reply longer than 512 bytes over UDP is dropped (oversized)", () => {
    setup();
    const q = query();
    const d = scratch(600); memory.copy(d, reply(sentId()), 40);
    deliver(d, 600, sentPort());
    expect(ctr(C.DROP_DNS_MALFORMED)).toBe(1);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
  });
  it("RFC 1123 6.1.3.3: no reply: retried with a new port and id after 1 s, then 2 s; then ETIMEDOUT", () => {
    setup();
    const q = query();
    const p1 = sentPort();
    expect(dnsPoll(T0 + 999)).toBe(1);
    expect(txCount()).toBe(1);
    expect(dnsPoll(T0 + 1000)).toBe(2000);
    expect(txCount()).toBe(2);
    expect(sentPort()).not.toBe(p1);
    deliver(reply(get16(txFrame(0) + 42)), 40, p1);   // the first attempt's answer comes too late
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
    expect(dnsPoll(T0 + 3000)).toBe(-1);
    expect(result()).toBe(Err.ETIMEDOUT);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.ETIMEDOUT);
    expect(udpSocketsInUse()).toBe(0);
  });
  it("RFC 1035 7.2: the attempts go round the servers", () => {
    setup(); dnsSetServer(1, OTHER);
    query();
    expect(dnsPoll(T0 + 1000)).toBe(1000);
    expect(get16(lastFrame() + 30) as u32 << 16 | get16(lastFrame() + 32)).toBe(OTHER);
  });
  it("RFC 2132 3.8: without a server set by the host, the ones that came with the address (DHCP option 6) are used", () => {
    setup(); dnsSetServer(0, 0);
    expect(query()).toBe(Err.ENOTCONN);
    const learned = scratch(4); store<u32>(learned, OTHER);
    learnedDnsSet(learned, 1);
    expect(query()).toBeGreaterThan(0);
    expect(get16(lastFrame() + 30) as u32 << 16 | get16(lastFrame() + 32)).toBe(OTHER);
    dnsSetServer(0, PEER);
    query("b.test");
    expect(get16(lastFrame() + 30) as u32 << 16 | get16(lastFrame() + 32)).toBe(PEER);
    learnedDnsSet(learned, 0);
  });
  it("RFC 1035 4.1.1: NXDOMAIN ends the query with ENOTFOUND", () => {
    setup();
    const q = query();
    deliver(reply(sentId(), 3), 24, sentPort());
    expect(result()).toBe(Err.ENOTFOUND);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.ENOTFOUND);
  });
  it("RFC 1035 4.2.2: a truncated reply (TC) asks the same server again over TCP port 53, silently for the host", () => {
    setup();
    memory.grow(5);                                                 // room for the TCB pool
    tcbPoolInit();
    const q = query();
    const d = reply(sentId()); store<u8>(d + 2, 0x83);
    deliver(d, 40, sentPort());
    expect(ctr(C.DNS_TCP_QUERIES)).toBe(1);
    expect(txCount()).toBe(2);
    expect(load<u8>(lastFrame() + 23)).toBe(6);                     // TCP
    expect(get16(lastFrame() + 30) as u32 << 16 | get16(lastFrame() + 32)).toBe(PEER);
    expect(get16(lastFrame() + 36)).toBe(53);
    expect(load<u8>(lastFrame() + 47) & 0x3f).toBe(0x02);           // SYN
    for (let k = eventPop(); k != 0; k = eventPop()) expect(k).toBe(Ev.UDP_READABLE);   // no STATE, no DNS_RESULT
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.EAGAIN);
    expect(udpSocketsInUse()).toBe(0);
  });
  it("RFC 1035 7.3: SERVFAIL moves on to the next server; from every server it is ESERVFAIL", () => {
    setup(); dnsSetServer(1, OTHER);
    const q = query();
    deliver(reply(sentId(), 2), 24, sentPort());
    expect(txCount()).toBe(2);
    deliver(reply(sentId(), 2), 24, sentPort(), OTHER);
    deliver(reply(sentId(), 2), 24, sentPort());
    deliver(reply(sentId(), 2), 24, sentPort(), OTHER);
    expect(result()).toBe(Err.ESERVFAIL);
    expect(dnsResult(q, scratch(16), 16)).toBe(Err.ESERVFAIL);
  });
  it("RFC 1035 7.4: an answer is cached for its TTL: asked again, it comes without a query", () => {
    setup();
    const q = query();
    deliver(reply(sentId()), 40, sentPort());
    dnsClose(q); result();
    const q2 = query("A.TEST", T0 + 59_000);
    expect(txCount()).toBe(1);
    expect(result()).toBe(1);
    const out = scratch(16);
    expect(dnsResult(q2, out, 16)).toBe(1);
    expect(load<u32>(out + 4)).toBe(0xc6120005);
    expect(ctr(C.DNS_CACHE_HITS)).toBe(1);
    dnsClose(q2);
    query("a.test", T0 + 60_000);
    expect(txCount()).toBe(2);
  });
  it("the table's limits: a bad name is EINVAL, no server ENOTCONN, every slot busy EMFILE", () => {
    setup();
    expect(query("a..b")).toBe(Err.EINVAL);
    for (let i = 0; i < 4; i++) expect(query("n" + i.toString() + ".test")).toBeGreaterThan(0);
    expect(query("x.test")).toBe(Err.EMFILE);
    setup(); dnsSetServer(0, 0);
    expect(query()).toBe(Err.ENOTCONN);
  });
});
