// DNS messages (RFC 1035 4.1): the A query the stub resolver sends and the checked parse of a reply.
//
//  0      2       4         6         8         10        12
//  +------+-------+---------+---------+---------+---------+-------------------------------
//  |  id  | flags | qdcount | ancount | nscount | arcount | question, answers, authority …
//  +------+-------+---------+---------+---------+---------+-------------------------------
//  flags: QR(15) opcode(14..11) AA(10) TC(9) RD(8) RA(7) Z(6..4) RCODE(3..0)
//
// Names are kept in wire form (length-prefixed labels ending with a zero byte, at most 255 bytes,
// RFC 1035 3.1). A reply's names may be compressed (4.1.4): a pointer must point strictly before the
// place the current run of labels started, so every jump goes backwards and no loop or forward
// reference can be followed; at most DNS_HOPS_MAX jumps are taken and a name past the end of the
// message is malformed. Nothing the reply says is trusted past the length it came in.
import { Err } from "../errors";
import { be16, get32, put16 } from "./bytes";

// @ts-ignore: decorator
@inline export const DNS_PORT: u16 = 53;
// @ts-ignore: decorator
@inline export const DNS_HDR_LEN: i32 = 12;
/** RFC 1035 3.1: a name is at most 255 bytes in wire form. */
// @ts-ignore: decorator
@inline export const DNS_NAME_MAX: i32 = 255;
/** RFC 1035 2.3.4: a UDP message is at most 512 bytes (we send no EDNS0). */
// @ts-ignore: decorator
@inline export const DNS_UDP_MAX: i32 = 512;
/** Compression pointers followed while reading one name. */
// @ts-ignore: decorator
@inline export const DNS_HOPS_MAX: i32 = 16;

// @ts-ignore: decorator
@inline const TYPE_A: u16 = 1;
// @ts-ignore: decorator
@inline const TYPE_CNAME: u16 = 5;
// @ts-ignore: decorator
@inline const CLASS_IN: u16 = 1;
// @ts-ignore: decorator
@inline const F_QR: u16 = 0x8000;
// @ts-ignore: decorator
@inline const F_TC: u16 = 0x0200;

// @ts-ignore: decorator
@inline export function dnsId(p: usize): i32 { return be16(p); }

/**
 * Encode the dotted name at src (len bytes, ASCII, one trailing dot allowed) into wire form at dst
 * (room for DNS_NAME_MAX bytes). Returns the wire length, or Err.EINVAL for an empty name or label,
 * a label over 63 bytes, a name over 255 bytes, or a byte that is not printable ASCII.
 */
export function dnsNameEncode(dst: usize, src: usize, len: i32): i32 {
  if (len > 0 && load<u8>(src + <usize>(len - 1)) == 0x2e) len--;       // the root's dot
  if (len <= 0 || len + 2 > DNS_NAME_MAX) return Err.EINVAL;
  let lab: usize = dst;    // where the current label's length goes
  let n: i32 = 0;
  for (let i = 0; i <= len; i++) {
    const c = i < len ? load<u8>(src + <usize>i) : 0x2e;    // the end closes the last label
    if (c == 0x2e) {
      if (n == 0) return Err.EINVAL;
      store<u8>(lab, <u8>n); lab += <usize>n + 1; n = 0;
      continue;
    }
    if (c < 0x21 || c > 0x7e || n == 63) return Err.EINVAL;
    n++;
    store<u8>(lab + <usize>n, c);
  }
  store<u8>(lab, 0);
  return len + 2;
}

/** Length of a wire-form name at p (its labels and the final zero byte). */
export function dnsNameLen(p: usize): i32 {
  let i: i32 = 0;
  for (let hops = 0; hops < 128; hops++) {
    const n = <i32>load<u8>(p + <usize>i);
    i += n + 1;
    if (n == 0) return i;
  }
  return i;
}

/** Build a recursive (RD) query for qname's A record, class IN, at buf. Returns its length. */
export function dnsQueryEmit(buf: usize, id: u16, qname: usize): i32 {
  const n = dnsNameLen(qname);
  put16(buf, id);
  // network order written as little-endian constants (put16 would swap them at run time)
  store<u16>(buf + 2, 0x0001);                 // flags: RD (0x0100)
  store<u64>(buf + 4, 0x0100);                 // QDCOUNT 1, ANCOUNT, NSCOUNT, ARCOUNT 0
  memory.copy(buf + <usize>DNS_HDR_LEN, qname, <usize>n);
  store<u32>(buf + <usize>(DNS_HDR_LEN + n), 0x0100_0100);   // QTYPE A (1), QCLASS IN (1)
  return DNS_HDR_LEN + n + 4;
}

/**
 * Read the (possibly compressed) name at offset off of the len-byte message at msg into out, in
 * wire form, uncompressed. Returns the offset just past the name where it sits (past its first
 * pointer), or -1: past the end, a pointer that does not point backwards, more than DNS_HOPS_MAX
 * pointers, a name over 255 bytes, a label type other than 0 or pointer.
 */
export function dnsNameRead(msg: usize, len: i32, off: i32, out: usize): i32 {
  let end: i32 = -1;      // where the name ends in place (set at the first pointer)
  let start: i32 = off;   // where the current run of labels began
  let o: i32 = 0;         // bytes written to out
  let hops: i32 = 0;
  while (off < len) {
    const n = <i32>load<u8>(msg + <usize>off);
    if (n >= 0xc0) {
      if (off + 2 > len) return -1;
      const to = be16(msg + <usize>off) & 0x3fff;
      if (to >= start || ++hops > DNS_HOPS_MAX) return -1;
      if (end < 0) end = off + 2;
      off = start = to;
      continue;
    }
    // 01 and 10 (n 64..191): extended label types (RFC 6891), refused
    if (n > 63 || off + 1 + n > len || o + 1 + n > DNS_NAME_MAX) return -1;
    memory.copy(out + <usize>o, msg + <usize>off, <usize>(n + 1));
    o += n + 1;
    off += n + 1;
    if (n == 0) return end < 0 ? off : end;
  }
  return -1;
}

function lower(c: i32): i32 { return c >= 0x41 && c <= 0x5a ? c | 0x20 : c; }

/** Two wire-form names are the same name (RFC 1035 2.3.3: ASCII case does not matter; a length
 *  byte is below 64, so lowering every byte leaves the lengths alone). */
export function dnsNameEq(a: usize, b: usize): bool {
  let next: usize = 0;    // where the next length byte is
  for (let i: usize = 0; i < <usize>DNS_NAME_MAX; i++) {
    const c = lower(<i32>load<u8>(a + i));
    if (c != lower(<i32>load<u8>(b + i))) return false;
    if (i == next) {
      if (c == 0) return true;
      next += <usize>c + 1;
    }
  }
  return false;
}

/**
 * Parse the reply at msg (len bytes) to the A query `id` for the wire-form name qname.
 * Follows CNAME records from qname (at most cnameMax of them), collects up to maxAddrs addresses
 * of A records owned by the name reached (more are ignored) at addrs (u32 each, host order), stores
 * the smallest TTL of the records used at ttlOut, and uses scratch (2 × 256 bytes) for names.
 * Returns the number of addresses (≥ 1), or:
 *   Err.EBADMSG    malformed: too short, not a reply, wrong id, another question, a bad name,
 *                  a record past the end, an A record whose data is not 4 bytes
 *   Err.EMSGSIZE   TC set: the answer did not fit (RFC 1035 4.2.1: ask again over TCP)
 *   Err.ENOTFOUND  RCODE 3 (NXDOMAIN), Err.ESERVFAIL 2, Err.EREFUSED 5; other RCODEs: EBADMSG
 *   Err.ELOOP      a CNAME chain longer than cnameMax
 *   Err.ENODATA    the name exists but has no A record
 */
export function dnsParse(msg: usize, len: i32, id: u16, qname: usize, addrs: usize, maxAddrs: i32,
                         cnameMax: i32, ttlOut: usize, scratch: usize): i32 {
  if (len < DNS_HDR_LEN || dnsId(msg) != <i32>id) return Err.EBADMSG;
  const flags = be16(msg + 2);
  if ((flags & (F_QR | 0x7800)) != F_QR) return Err.EBADMSG;         // a reply (QR) to a standard query (opcode 0)
  if (flags & F_TC) return Err.EMSGSIZE;
  const rc = flags & 15;
  if (rc == 3) return Err.ENOTFOUND;
  if (rc == 2) return Err.ESERVFAIL;
  if (rc == 5) return Err.EREFUSED;
  if (rc != 0 || be16(msg + 4) != 1) return Err.EBADMSG;
  let target = qname;              // the name followed: qname, then each CNAME's target (at scratch)
  const owner = scratch + 256;
  let off = DNS_HDR_LEN;
  let count: i32 = 0;
  let chain: i32 = 0;
  let ttl: u32 = 0xffff_ffff;
  const an = be16(msg + 6);
  // the question (i = -1), then the answers: a name, then type and class (and TTL, RDLENGTH, RDATA)
  for (let i = -1; i < an; i++) {
    off = dnsNameRead(msg, len, off, owner);
    if (off < 0 || off + (i < 0 ? 4 : 10) > len) return Err.EBADMSG;
    const r = msg + <usize>off;
    const type = be16(r);
    const ours = be16(r + 2) == <i32>CLASS_IN && dnsNameEq(owner, target);
    if (i < 0) {                                             // RFC 5452 9.1: the question must be ours
      if (!ours || type != <i32>TYPE_A) return Err.EBADMSG;
      off += 4;
      continue;
    }
    const rttl = get32(r + 4), rdlen = be16(r + 8);
    const data = off + 10;
    off = data + rdlen;
    if (off > len) return Err.EBADMSG;
    if (!ours) continue;                                     // not about the name we follow
    if (type == <i32>TYPE_CNAME) {
      if (++chain > cnameMax) return Err.ELOOP;
      target = scratch;
      if (dnsNameRead(msg, data + rdlen, data, target) < 0) return Err.EBADMSG;
    } else if (type == <i32>TYPE_A) {
      if (rdlen != 4) return Err.EBADMSG;
      if (count < maxAddrs) {
        store<u32>(addrs + (<usize>count << 2), get32(msg + <usize>data));
        count++;
      }
    } else continue;
    const t: u32 = rttl > 0x7fff_ffff ? 0 : rttl;            // RFC 2181 8: top bit set → 0
    if (t < ttl) ttl = t;
  }
  if (count == 0) return Err.ENODATA;
  store<u32>(ttlOut, ttl);
  return count;
}
