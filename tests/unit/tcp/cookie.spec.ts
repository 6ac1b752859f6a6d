import { cookieCheck, cookieIss, cookieMss, cookieTsval, cookiesRecent } from "../../../assembly/tcp/cookie";
import { isnInit } from "../../../assembly/tcp/isn";
import { seg, opts } from "../../../assembly/tcp/segment";

// RFC 4987 3.6 SYN cookies (assembly/tcp/cookie.ts, Linux's layout): the ISS of a SYN-ACK encodes
// the MSS index and a 65.536-s time count under the ISN key; the ACK returns ISS + 1 with
// SEG.SEQ = the SYN's + 1. These check the round trip, the time window and the binding to the
// 4-tuple and the SYN's sequence number.

const T0: u32 = 10 * 65536 + 1234;

/** The SYN from 198.18.0.2:40000 to 198.18.0.1:80 with sequence number 5000 and MSS `mss`. */
function syn(mss: u32): void {
  seg.src = 0xc6120002; seg.dst = 0xc6120001; seg.sport = 40000; seg.dport = 80;
  seg.seq = 5000; seg.ack = 0;
  opts.mss = mss;
}

/** The ACK that returns `iss`, from the same peer. */
function ack(iss: u32): void {
  seg.seq = 5001; seg.ack = iss + 1;
}

describe("SYN cookies (RFC 4987 3.6)", () => {
  it("RFC 4987 3.6: the ACK returning the cookie decodes to the MSS index of the SYN", () => {
    isnInit(7, 0);
    syn(1460); const a = cookieIss(T0); ack(a);
    expect(cookieCheck(T0 + 100)).toBe(3);
    syn(1400); const b = cookieIss(T0); ack(b);
    expect(cookieCheck(T0)).toBe(1);
    syn(0); const c = cookieIss(T0); ack(c);                    // no MSS option: 536
    expect(cookieCheck(T0)).toBe(0);
    expect(cookieMss(0)).toBe(536);
    expect(cookieMss(1)).toBe(1300);
    expect(cookieMss(2)).toBe(1440);
    expect(cookieMss(3)).toBe(1460);
  });
  it("RFC 4987 3.6: valid for two more time counts (about 2–3 minutes), not three", () => {
    isnInit(7, 0);
    syn(1460); const a = cookieIss(T0); ack(a);
    expect(cookieCheck(T0 + 2 * 65536)).toBe(3);
    expect(cookieCheck(T0 + 3 * 65536)).toBe(-1);
  });
  it("RFC 4987 3.6: bound to the 4-tuple, the SYN's sequence number and the key", () => {
    isnInit(7, 0);
    syn(1460); const a = cookieIss(T0);
    ack(a); seg.sport = 40001;
    expect(cookieCheck(T0)).toBe(-1);
    syn(1460); ack(a); seg.seq = 5001 + 100_000;
    expect(cookieCheck(T0)).toBe(-1);
    syn(1460); ack(a); seg.src = 0xc6120003;
    expect(cookieCheck(T0)).toBe(-1);
    syn(1460); ack(a + 1000);
    expect(cookieCheck(T0)).toBe(-1);
    isnInit(8, 0);
    syn(1460); ack(a);
    expect(cookieCheck(T0)).toBe(-1);
  });
  it("ACKs are checked only while cookies went out recently", () => {
    isnInit(7, 0);
    syn(1460); cookieIss(T0);
    expect(cookiesRecent(T0 + 3 * 65536 - 1)).toBe(true);
    expect(cookiesRecent(T0 + 3 * 65536)).toBe(false);
  });
  it("RFC 4987 3.6 (as Linux): the TSval's low 6 bits carry the window shift (15 = none) and SACK-permitted", () => {
    expect(cookieTsval(0x12345678, true, 7, true)).toBe(0x12345640 | 0x10 | 7);
    expect(cookieTsval(0x12345678, false, 7, false)).toBe(0x12345640 | 0xf);
  });
});
