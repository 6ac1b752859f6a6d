// SYN cookies (RFC 4987 3.6): when a listener's backlog or the connection table is full, the
// SYN-ACK's ISS encodes what the connection needs, and no state is kept until the peer's ACK
// returns it. The layout is Linux's (net/ipv4/syncookies.c), keyed with the ISN secret (isn.ts):
//
//   ISS = H1(4-tuple) + SEG.SEQ(SYN) + (count << 24) + ((H2(4-tuple, count) + mssIndex) mod 2^24)
//
// count is the time in units of 65.536 s (now >> 16, 8 bits); an ACK whose ACK − 1 decodes to a
// count at most COOKIE_AGE_MAX units old, and an MSS index < 4, is a valid cookie (a blind guess
// passes with probability about 2^-22 per try). The MSS is one of four values (the largest not
// above the peer's). When the SYN carried timestamps, the low 6 bits of our TSval carry the peer's
// window shift (4 bits, 15 = none) and SACK-permitted (1 bit), and come back in the ACK's TSecr.
import { seg, opts } from "./segment";
import { keyedHash } from "./isn";
import { timeLt } from "../time";

@inline const COOKIE_BITS: u32 = 24;
@inline const COOKIE_MASK: u32 = (1 << 24) - 1;
@inline const TICK_SHIFT: u32 = 16;            // count unit: 65.536 s
@inline const COOKIE_AGE_MAX: u32 = 2;         // a cookie is good for 2–3 units: about 2–3 minutes
/** TSval bits that carry the options (RFC 4987 3.6 notes what a plain cookie loses: Linux's fix). */
@inline export const TS_OPT_BITS: u32 = 0x3f;
@inline export const TS_NO_WSCALE: u32 = 0xf;
@inline export const TS_SACK_BIT: u32 = 0x10;

let sentAt: u32 = 0;
let sentAny = false;

/** The four MSS values a cookie can carry (Linux's msstab). */
export function cookieMss(i: i32): u32 {
  return i == 0 ? 536 : i == 1 ? 1300 : i == 2 ? 1440 : 1460;
}

/** The index of the largest table MSS not above the peer's SYN option (536 without one). */
function mssIndex(): u32 {
  const m = opts.mss != 0 ? opts.mss : 536;
  let i: i32 = 3;
  while (i > 0 && cookieMss(i) > m) i--;
  return <u32>i;
}

function tupleA(): u64 { return (<u64>seg.dst << 32) | <u64>seg.src; }
function tupleB(): u64 { return (<u64>seg.dport << 16) | <u64>seg.sport; }
function hash1(): u32 { return <u32>keyedHash(tupleA(), tupleB() | (<u64>0x434f4f4b << 32)); }
function hash2(count: u32): u32 { return <u32>keyedHash(tupleA() ^ 0x5359_4e43_4f4f_4b49, tupleB() | (<u64>(count & 0xff) << 32)); }

/** The ISS of a cookie SYN-ACK answering the SYN in `seg` at `now`. */
export function cookieIss(now: u32): u32 {
  const count = (now >>> TICK_SHIFT) & 0xff;
  sentAt = now;
  sentAny = true;
  return hash1() + seg.seq + (count << COOKIE_BITS) + ((hash2(count) + mssIndex()) & COOKIE_MASK);
}

/** Cookies went out recently enough that an ACK to a listener may return one (as Linux, only then is
 *  an ACK checked: otherwise it is answered with RST as RFC 9293 3.10.7.2 says). */
export function cookiesRecent(now: u32): bool {
  return sentAny && timeLt(now, sentAt + ((COOKIE_AGE_MAX + 1) << TICK_SHIFT));
}

/** The ACK in `seg` returns a valid cookie: its MSS index (0..3), or -1. */
export function cookieCheck(now: u32): i32 {
  const diff = (seg.ack - 1) - hash1() - (seg.seq - 1);
  const count = diff >>> COOKIE_BITS;
  if ((((now >>> TICK_SHIFT) - count) & 0xff) > COOKIE_AGE_MAX) return -1;
  const data = (diff - hash2(count)) & COOKIE_MASK;
  return data < 4 ? <i32>data : -1;
}

/** Our TSval on a cookie SYN-ACK: `ts` with the agreed options in its low bits. */
export function cookieTsval(ts: u32, wsOk: bool, shift: u32, sackOk: bool): u32 {
  return (ts & ~TS_OPT_BITS) | (wsOk ? shift : TS_NO_WSCALE) | (sackOk ? TS_SACK_BIT : 0);
}
