import { ifaceInput } from "../../../assembly/iface/input";
import { ifacePoll, ipOutput } from "../../../assembly/iface/output";
import { ARP_INCOMPLETE, ARP_RESOLVED, ARP_FAILED_STATE, arpCount, arpFailed, arpLookup, arpPendingCount } from "../../../assembly/iface/arp";
import { ARP_ENTRIES, ARP_PENDING, ARP_RETRIES, ARP_RETRY_MS, ARP_TTL_MS } from "../../../assembly/config";
import { C } from "../../../assembly/counters";
import { get16, get32 } from "../../../assembly/wire/bytes";
import { ctr, same, txCount, txFrame, txLen } from "../helpers";
import { ME, PEER, arpFrame, setupIface } from "./fixtures";

const T0: u32 = 1000;

describe("iface ARP (RFC 826)", () => {
  it("RFC 826: a request for our IP is answered with our MAC, to the requester", () => {
    setupIface();
    const f = arpFrame(1, 2, PEER, ME);
    expect(ifaceInput(f, 42, T0)).toBe(0);
    expect(txCount()).toBe(1);
    expect(txLen(0)).toBe(42);
    const r = txFrame(0);
    expect(same(r, [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06])).toBe(true);
    expect(get16(r + 14 + 6)).toBe(<u16>2);                      // reply
    expect(same(r + 14 + 8, [0x02, 0, 0, 0, 0, 1])).toBe(true);   // sha = us
    expect(get32(r + 14 + 14)).toBe(ME);                          // spa = us
    expect(same(r + 14 + 18, [0x02, 0, 0, 0, 0, 2])).toBe(true);  // tha = requester
    expect(get32(r + 14 + 24)).toBe(PEER);
    expect(ctr(C.ARP_RX)).toBe(1);
    expect(ctr(C.ARP_TX)).toBe(1);
  });
  it("RFC 826: being the target adds the sender to the cache", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    const mac = arpLookup(PEER, T0);
    expect(mac).not.toBe(0);
    expect(same(mac, [0x02, 0, 0, 0, 0, 2])).toBe(true);
  });
  it("RFC 826: a request for another IP is not answered and does not add the sender", () => {
    setupIface();
    expect(ifaceInput(arpFrame(1, 2, PEER, 0xc6120003), 42, T0)).toBe(0);
    expect(txCount()).toBe(0);
    expect(arpLookup(PEER, T0)).toBe(0);
    expect(ctr(C.ARP_RX)).toBe(1);
  });
  it("RFC 826 merge: a request for another IP updates an existing entry", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    ifaceInput(arpFrame(1, 9, PEER, 0xc6120003), 42, T0 + 5);   // PEER moved to ...:09
    expect(same(arpLookup(PEER, T0 + 5), [0x02, 0, 0, 0, 0, 9])).toBe(true);
  });
  it("RFC 5227: a gratuitous ARP updates an existing entry and creates none", () => {
    setupIface();
    ifaceInput(arpFrame(2, 7, 0xc6120007, 0xc6120007), 42, T0);
    expect(arpLookup(0xc6120007, T0)).toBe(0);
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    ifaceInput(arpFrame(2, 8, PEER, PEER), 42, T0 + 1);
    expect(same(arpLookup(PEER, T0 + 1), [0x02, 0, 0, 0, 0, 8])).toBe(true);
  });
  it("RFC 826: malformed ARP (bad hlen) is counted and dropped", () => {
    setupIface();
    const f = arpFrame(1, 2, PEER, ME);
    store<u8>(f + 14 + 4, 8);
    expect(ifaceInput(f, 42, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ARP_MALFORMED)).toBe(1);
    expect(txCount()).toBe(0);
  });
  it("truncated ARP (27 bytes after Ethernet) is counted and dropped", () => {
    setupIface();
    expect(ifaceInput(arpFrame(1, 2, PEER, ME), 41, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ARP_MALFORMED)).toBe(1);
  });
  it("RFC 826: a reply resolves a pending entry and flushes its queued frames in order", () => {
    setupIface();
    expect(ipOutput(PEER, 6, 10, T0)).toBe(0);
    expect(ipOutput(PEER, 6, 11, T0 + 1)).toBe(0);
    expect(txCount()).toBe(1);                      // one ARP request, rate-limited
    expect(arpCount(ARP_INCOMPLETE)).toBe(1);
    expect(arpPendingCount(PEER)).toBe(2);
    expect(ifaceInput(arpFrame(2, 2, PEER, ME, false), 42, T0 + 2)).toBe(0);
    expect(arpPendingCount(0)).toBe(0);
    expect(arpCount(ARP_RESOLVED)).toBe(1);
    expect(txCount()).toBe(3);
    expect(txLen(1)).toBe(14 + 20 + 10);
    expect(txLen(2)).toBe(14 + 20 + 11);
    expect(same(txFrame(1), [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00])).toBe(true);
  });
  it("pending queue full: the oldest frame is dropped and counted", () => {
    setupIface();
    for (let i = 0; i < ARP_PENDING + 1; i++) ipOutput(PEER, 6, 100 + i, T0);
    expect(arpPendingCount(PEER)).toBe(ARP_PENDING);
    expect(ctr(C.ARP_PENDING_DROPPED)).toBe(1);
    ifaceInput(arpFrame(2, 2, PEER, ME, false), 42, T0 + 1);
    expect(txCount()).toBe(1 + ARP_PENDING);
    expect(txLen(1)).toBe(14 + 20 + 101);           // frame 100 (the oldest) is gone
    expect(txLen(ARP_PENDING)).toBe(14 + 20 + 100 + ARP_PENDING);
  });
  it("RFC 1122 2.3.2.1: requests are retried every ARP_RETRY_MS, then resolution gives up", () => {
    setupIface();
    ipOutput(PEER, 6, 10, T0);
    ipOutput(PEER, 6, 10, T0);
    expect(txCount()).toBe(1);
    expect(ifacePoll(T0)).toBe(<i32>ARP_RETRY_MS);
    expect(ifacePoll(T0 + ARP_RETRY_MS - 1)).toBe(1);
    expect(txCount()).toBe(1);
    for (let i = 1; i < ARP_RETRIES; i++) {
      expect(ifacePoll(T0 + <u32>i * ARP_RETRY_MS)).toBe(<i32>ARP_RETRY_MS);
      expect(txCount()).toBe(1 + i);
    }
    const failAt = T0 + <u32>ARP_RETRIES * ARP_RETRY_MS;
    expect(ifacePoll(failAt)).toBe(<i32>(ARP_RETRIES * ARP_RETRY_MS));   // the failure is remembered a while
    expect(txCount()).toBe(ARP_RETRIES);
    expect(ctr(C.ARP_FAILED)).toBe(2);               // each waiting frame counted once
    expect(arpPendingCount(0)).toBe(0);
    expect(arpCount(ARP_INCOMPLETE)).toBe(0);
    expect(arpFailed(PEER)).toBe(true);               // RFC 1122 4.2.3.9: TCP can tell (EHOSTUNREACH)
    expect(ifacePoll(failAt + <u32>ARP_RETRIES * ARP_RETRY_MS)).toBe(-1);
    expect(arpFailed(PEER)).toBe(false);
    expect(arpCount(ARP_FAILED_STATE)).toBe(0);
  });
  it("RFC 1122 2.3.2.1: a send to a next hop whose resolution failed asks again at once", () => {
    setupIface();
    ipOutput(PEER, 6, 10, T0);
    for (let i = 1; i <= ARP_RETRIES; i++) ifacePoll(T0 + <u32>i * ARP_RETRY_MS);
    expect(arpFailed(PEER)).toBe(true);
    const before = txCount();
    ipOutput(PEER, 6, 10, T0 + <u32>ARP_RETRIES * ARP_RETRY_MS + 1);
    expect(txCount()).toBe(before + 1);               // a new request
    expect(arpCount(ARP_INCOMPLETE)).toBe(1);
    expect(arpFailed(PEER)).toBe(false);
  });
  it("RFC 1122 2.3.2.1: a resolved entry expires after ARP_TTL_MS", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    expect(ifacePoll(T0)).toBe(<i32>ARP_TTL_MS);
    expect(arpLookup(PEER, T0 + ARP_TTL_MS - 1)).not.toBe(0);
    expect(arpLookup(PEER, T0 + ARP_TTL_MS)).toBe(0);
    expect(ifacePoll(T0 + ARP_TTL_MS)).toBe(-1);
    expect(arpCount(ARP_RESOLVED)).toBe(0);
  });
  it("poll walks the table again after a resolution starts or an answer is learned: a retry and an expiry set after a poll that found nothing are on time", () => {
    setupIface();
    expect(ifacePoll(T0)).toBe(-1);                  // nothing in the table: the walk's answer is kept
    ipOutput(PEER, 6, 10, T0 + 5);                     // a resolution starts: the first request
    expect(txCount()).toBe(1);
    expect(ifacePoll(T0 + 5)).toBe(<i32>ARP_RETRY_MS);
    expect(ifacePoll(T0 + 5 + ARP_RETRY_MS)).toBe(<i32>ARP_RETRY_MS);
    expect(txCount()).toBe(2);                        // the retry went out on time
    ifaceInput(arpFrame(2, 2, PEER, ME, false), 42, T0 + 7 + ARP_RETRY_MS);   // the answer
    expect(ifacePoll(T0 + 7 + ARP_RETRY_MS)).toBe(<i32>ARP_TTL_MS);
    expect(ifacePoll(T0 + 7 + ARP_RETRY_MS + ARP_TTL_MS)).toBe(-1);
    expect(arpCount(ARP_RESOLVED)).toBe(0);            // expired on time
  });
  it("an expired entry is resolved again on the next send (frame queued, request sent)", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    expect(txCount()).toBe(1);
    expect(ipOutput(PEER, 6, 4, T0 + ARP_TTL_MS)).toBe(0);
    expect(txCount()).toBe(2);
    expect(txLen(1)).toBe(42);
    expect(arpPendingCount(PEER)).toBe(1);
  });
  it("cache full: the least recently used entry is replaced", () => {
    setupIface();
    for (let i = 0; i < ARP_ENTRIES; i++) {
      ifaceInput(arpFrame(1, <u8>(10 + i), 0xc6120010 + <u32>i, ME), 42, T0 + <u32>i);
    }
    expect(arpCount(ARP_RESOLVED)).toBe(ARP_ENTRIES);
    arpLookup(0xc6120010, T0 + 100);                 // entry 0 used recently; entry 1 is now the LRU
    ifaceInput(arpFrame(1, 99, 0xc6120099, ME), 42, T0 + 101);
    expect(arpCount(ARP_RESOLVED)).toBe(ARP_ENTRIES);
    expect(arpLookup(0xc6120099, T0 + 102)).not.toBe(0);
    expect(arpLookup(0xc6120010, T0 + 102)).not.toBe(0);
    expect(arpLookup(0xc6120011, T0 + 102)).toBe(0);
  });
  it("cache full: a new entry replaces an unresolved one before any resolved neighbour (a flood of unanswered next hops keeps PEER)", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);    // PEER resolved, then never used again
    for (let i = 0; i < 4 * ARP_ENTRIES; i++) ipOutput(0xc6120080 + <u32>i, 6, 10, T0 + 1 + <u32>i); // 198.18.0.128…: on-link, silent
    expect(arpCount(ARP_RESOLVED)).toBe(1);
    expect(arpCount(ARP_INCOMPLETE)).toBe(ARP_ENTRIES - 1);
    expect(arpLookup(PEER, T0 + 1000)).not.toBe(0);
  });
  it("RFC 1122 2.3.2.1 flooding guard: a stream of unanswered next hops gets at most ARP_ENTRIES requests per ARP_RETRY_MS; their frames are dropped and counted", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);    // PEER resolved
    const tx0 = txCount();
    for (let i = 0; i < 100; i++) ipOutput(0xc6120080 + <u32>i, 6, 10, T0 + 1 + <u32>(i & 7)); // 198.18.0.128…227, within 8 ms
    expect(txCount() - tx0).toBe(ARP_ENTRIES - 1);   // one request per free entry, then none
    expect(ctr(C.ARP_PENDING_DROPPED)).toBeGreaterThanOrEqual(100 - (ARP_ENTRIES - 1) - ARP_PENDING);
    expect(arpLookup(PEER, T0 + 100)).not.toBe(0);   // the resolved neighbour stays
    // an ARP_RETRY_MS later the oldest resolutions may give way to new next hops again
    ipOutput(0xc61200f0, 6, 10, T0 + 1 + ARP_RETRY_MS);
    expect(txCount() - tx0).toBeGreaterThanOrEqual(ARP_ENTRIES);
  });
  it("RFC 826 flooding guard: a neighbour that asks for our address is learned even while every entry is a young resolution", () => {
    setupIface();
    for (let i = 0; i < 2 * ARP_ENTRIES; i++) ipOutput(0xc6120080 + <u32>i, 6, 10, T0);
    expect(arpCount(ARP_INCOMPLETE)).toBe(ARP_ENTRIES);
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0 + 1);
    expect(arpLookup(PEER, T0 + 2)).not.toBe(0);
  });
  it("RFC 5227: an ARP probe (sender IP 0) for our address is answered but teaches nothing", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, 0, ME), 42, T0);
    expect(txCount()).toBe(1);
    expect(arpCount(ARP_RESOLVED)).toBe(0);
  });
});
