// DHCP message codec (RFC 2131 2, options RFC 2132): a view over (p, len) gated by dhcpParse, which
// walks every option with bounds and fills one validated record (the dhcpX() accessors below);
// dhcpEmit writes the client's messages. No state beyond the last parsed record.
//
//  0    1     2     3     4        8      10      12       16       20       24       28
//  | op |htype|hlen |hops | xid    | secs | flags | ciaddr | yiaddr | siaddr | giaddr |
//  28 chaddr (16) | 44 sname (64) | 108 file (128) | 236 magic 63 82 53 63 | 240 options …
import { get16, get32, put16, put32 } from "./bytes";

// @ts-ignore: decorator
@inline export const DHCP_SERVER_PORT: u16 = 67;
// @ts-ignore: decorator
@inline export const DHCP_CLIENT_PORT: u16 = 68;
/** Fixed part plus the magic cookie. */
// @ts-ignore: decorator
@inline export const DHCP_FIXED_LEN: i32 = 240;
/** Every message we send is padded to the BOOTP minimum (RFC 1542 2.1: 300 bytes of BOOTP). */
// @ts-ignore: decorator
@inline export const DHCP_MIN_LEN: i32 = 300;
/** The longest message we accept: we never send option 57, so a server must stay within 576 bytes of
 *  IP (RFC 2131 2: 548 of DHCP); a bit of slack for servers that pad to the Ethernet MTU. */
// @ts-ignore: decorator
@inline export const DHCP_MAX_LEN: i32 = 1024;
/** DNS servers kept from option 6 (the rest are ignored). */
// @ts-ignore: decorator
@inline export const DHCP_DNS_MAX: i32 = 3;

/** Message types (option 53, RFC 2132 9.6). */
export namespace DhcpType {
  @inline export const DISCOVER: u8 = 1;
  @inline export const OFFER: u8 = 2;
  @inline export const REQUEST: u8 = 3;
  @inline export const DECLINE: u8 = 4;
  @inline export const ACK: u8 = 5;
  @inline export const NAK: u8 = 6;
  @inline export const RELEASE: u8 = 7;
  @inline export const INFORM: u8 = 8;
}

/** dhcpParse results below zero: why a message is dropped. */
// @ts-ignore: decorator
@inline export const DHCP_SHORT: i32 = -1;      // shorter than 240 bytes
// @ts-ignore: decorator
@inline export const DHCP_TOO_LONG: i32 = -2;   // longer than DHCP_MAX_LEN
// @ts-ignore: decorator
@inline export const DHCP_NOT_REPLY: i32 = -3;  // op is not BOOTREPLY, or not Ethernet (htype 1, hlen 6)
// @ts-ignore: decorator
@inline export const DHCP_BAD_MAGIC: i32 = -4;
// @ts-ignore: decorator
@inline export const DHCP_BAD_XID: i32 = -5;    // not our transaction, or not our chaddr
// @ts-ignore: decorator
@inline export const DHCP_BAD_OPTION: i32 = -6; // an option past the end, a wrong length or value, a repeat
// @ts-ignore: decorator
@inline export const DHCP_NO_END: i32 = -7;     // an option area without its end option
// @ts-ignore: decorator
@inline export const DHCP_NO_TYPE: i32 = -8;    // no (or a client's) message type

// @ts-ignore: decorator
@inline const OFF_OP: usize = 0;
// @ts-ignore: decorator
@inline const OFF_XID: usize = 4;
// @ts-ignore: decorator
@inline const OFF_SECS: usize = 8;
// @ts-ignore: decorator
@inline const OFF_CIADDR: usize = 12;
// @ts-ignore: decorator
@inline const OFF_YIADDR: usize = 16;
// @ts-ignore: decorator
@inline const OFF_CHADDR: usize = 28;
// @ts-ignore: decorator
@inline const OFF_SNAME: usize = 44;
// @ts-ignore: decorator
@inline const OFF_FILE: usize = 108;
// @ts-ignore: decorator
@inline const OFF_MAGIC: usize = 236;
/** Four bytes in memory order as one little-endian u32 (a single load or store). */
// @ts-ignore: decorator
@inline function bytes4(a: u32, b: u32, c: u32, d: u32): u32 { return a | b << 8 | c << 16 | d << 24; }
/** RFC 2131 3: the magic cookie 99.130.83.99 (63 82 53 63), as a little-endian load sees it. */
// @ts-ignore: decorator
@inline const MAGIC: u32 = 0x63538263;

// Option codes (RFC 2132).
// @ts-ignore: decorator
@inline const OPT_PAD: u8 = 0;
// @ts-ignore: decorator
@inline const OPT_MASK: u8 = 1;
// @ts-ignore: decorator
@inline const OPT_ROUTER: u8 = 3;
// @ts-ignore: decorator
@inline const OPT_DNS: u8 = 6;
// @ts-ignore: decorator
@inline const OPT_HOSTNAME: u8 = 12;
// @ts-ignore: decorator
@inline const OPT_DOMAIN: u8 = 15;
// @ts-ignore: decorator
@inline const OPT_BROADCAST: u8 = 28;
// @ts-ignore: decorator
@inline const OPT_REQUESTED: u8 = 50;
// @ts-ignore: decorator
@inline const OPT_LEASE: u8 = 51;
// @ts-ignore: decorator
@inline const OPT_OVERLOAD: u8 = 52;
// @ts-ignore: decorator
@inline const OPT_TYPE: u8 = 53;
// @ts-ignore: decorator
@inline const OPT_SERVER: u8 = 54;
// @ts-ignore: decorator
@inline const OPT_PARAMS: u8 = 55;
// @ts-ignore: decorator
@inline const OPT_T1: u8 = 58;
// @ts-ignore: decorator
@inline const OPT_T2: u8 = 59;
// @ts-ignore: decorator
@inline const OPT_CLIENT_ID: u8 = 61;
// @ts-ignore: decorator
@inline const OPT_END: u8 = 255;

// ── the validated record of the last dhcpParse ──────────────────────────────────────────────
// VALS holds, by code, the value of the options we use: the first address (1, 3, 6, 28, 54), the
// time (51, 58, 59) or the byte (52, 53); the servers of option 6 are read in place (mDnsAt, until
// the message buffer is reused). `seen` has a bit per option code < 64 met (a repeat is refused, and
// absent means 0).
let mYiaddr: u32 = 0;
let mDnsCount: i32 = 0;
let mDnsAt: usize = 0;
let seen: u64 = 0;
const VALS = memory.data(64 * 4);

// The length rules of RFC 2132 for the options we use, a bit per code.
// @ts-ignore: decorator
@inline const ONE_BYTE: u64 = (<u64>1 << OPT_OVERLOAD) | (<u64>1 << OPT_TYPE);
// @ts-ignore: decorator
@inline const TEXT: u64 = (<u64>1 << OPT_HOSTNAME) | (<u64>1 << OPT_DOMAIN);   // 3.14, 3.17: at least 1 byte
// @ts-ignore: decorator
@inline const ADDRESS_LIST: u64 = (<u64>1 << OPT_ROUTER) | (<u64>1 << OPT_DNS); // 4 bytes each, at least one
// @ts-ignore: decorator
@inline const FOUR_BYTES: u64 = ADDRESS_LIST | (<u64>1 << OPT_MASK) | (<u64>1 << OPT_BROADCAST) | (<u64>1 << OPT_LEASE) |
                                (<u64>1 << OPT_SERVER) | (<u64>1 << OPT_T1) | (<u64>1 << OPT_T2);

// @ts-ignore: decorator
@inline function val(code: u8): u32 { return load<u32>(VALS + (<usize>code << 2)); }
// @ts-ignore: decorator
@inline function has(code: u8): bool { return (seen & (<u64>1 << <u64>code)) != 0; }

export function dhcpType(): u8 { return <u8>val(OPT_TYPE); }
export function dhcpYiaddr(): u32 { return mYiaddr; }
/** Option 54, 0 when absent. */
export function dhcpServerId(): u32 { return val(OPT_SERVER); }
/** Option 51 in seconds (0xFFFFFFFF: infinite); dhcpHasLease() says whether it was there. */
export function dhcpLease(): u32 { return val(OPT_LEASE); }
export function dhcpHasLease(): bool { return has(OPT_LEASE); }
export function dhcpT1(): u32 { return val(OPT_T1); }
export function dhcpT2(): u32 { return val(OPT_T2); }
/** Option 1, or 0 when absent. */
export function dhcpMask(): u32 { return val(OPT_MASK); }
export function dhcpHasMask(): bool { return has(OPT_MASK); }
/** The first router of option 3, 0 when absent. */
export function dhcpRouter(): u32 { return val(OPT_ROUTER); }
export function dhcpDnsCount(): i32 { return mDnsCount; }
/** Server i of option 6 (the first DHCP_DNS_MAX), 0 past the end; read from the parsed message. */
export function dhcpDns(i: i32): u32 { return <u32>i < <u32>mDnsCount ? get32(mDnsAt + (<usize>i << 2)) : 0; }
/** The servers of option 6 (at most DHCP_DNS_MAX) to dst as u32s; returns how many. */
export function dhcpDnsCopy(dst: usize): i32 {
  for (let i = 0; i < mDnsCount; i++) store<u32>(dst + (<usize>i << 2), get32(mDnsAt + (<usize>i << 2)));
  return mDnsCount;
}

function put8(p: usize, v: u8): usize { store<u8>(p, v); return p + 1; }
function put4(p: usize, code: u32, v: u32): usize { store<u16>(p, code | 4 << 8); put32(p + 2, v); return p + 6; }
/** Option 55: mask, router, DNS, domain, broadcast, lease, T1, T2. */
const PARAMS = memory.data<u8>([OPT_PARAMS, 8, OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_DOMAIN, OPT_BROADCAST, OPT_LEASE, OPT_T1, OPT_T2]);

/** One option (code < 64) of `olen` bytes at v; false for a repeat or a length or value the RFC does
 *  not allow (the message is refused). */
function option(code: u8, v: usize, olen: i32): bool {
  const bit = <u64>1 << <u64>code;
  if (seen & bit) return false;              // RFC 3396 concatenation is not supported: refuse
  seen |= bit;
  if (TEXT & bit) return olen >= 1;
  if (!((ONE_BYTE | FOUR_BYTES) & bit)) return true;   // options we do not use: skipped
  // the value (its first address); a wrong length is refused below
  const x = olen >= 4 ? get32(v) : <u32>load<u8>(v);
  store<u32>(VALS + (<usize>code << 2), x);
  // 53: DISCOVER..INFORM (RFC 2132 9.6); 52: file, sname or both (9.3)
  if (ONE_BYTE & bit) return olen == 1 && x - 1 < (code == OPT_TYPE ? <u32>DhcpType.INFORM : 3);   // 1..max
  if (olen < 4 || (olen & 3) != 0 || (olen != 4 && !(ADDRESS_LIST & bit))) return false;
  if (code == OPT_DNS) {
    const n = olen >> 2;
    mDnsCount = n < DHCP_DNS_MAX ? n : DHCP_DNS_MAX;
    mDnsAt = v;
  }
  if (code == OPT_SERVER) return x != 0;
  if (code == OPT_MASK) return x != 0 && ((~x) & ((~x) + 1)) == 0;   // contiguous (RFC 950)
  return true;
}

/** Walk the option area [p, end): pad, end, and code-length-value with every length checked. Option 52
 *  in `file` or `sname` (RFC 2131 4.1: only in the options field) is refused as a repeat: those are
 *  walked only when the options field had it. */
function walk(p: usize, end: usize): i32 {
  while (p < end) {
    const code = load<u8>(p);
    if (code == OPT_END) return 0;
    if (code == OPT_PAD) { p++; continue; }
    // a code as the last byte fails here too (p + 2 > end): its length byte is read at `end`, which
    // is still memory (the buffer ends after it, or the next field follows)
    const olen = <i32>load<u8>(p, 1);
    p += 2;
    if (p + <usize>olen > end) return DHCP_BAD_OPTION;
    if (code < 64 && !option(code, p, olen)) return DHCP_BAD_OPTION;
    p += <usize>olen;
  }
  return DHCP_NO_END;
}

/**
 * The only gate: a server's reply of `len` bytes at p for transaction xid and our 6-byte MAC at mac.
 * Returns the message type, or DHCP_SHORT / TOO_LONG / NOT_REPLY / BAD_MAGIC / BAD_XID / BAD_OPTION /
 * NO_END / NO_TYPE. RFC 2131 4.1: option overload (52) continues the options in `file`, then in
 * `sname`, each ending with its own end option.
 */
export function dhcpParse(p: usize, len: i32, xid: u32, mac: usize): i32 {
  mYiaddr = 0; mDnsCount = 0; seen = 0;
  memory.fill(VALS, 0, 64 * 4);
  if (len < DHCP_FIXED_LEN) return DHCP_SHORT;
  if (len > DHCP_MAX_LEN) return DHCP_TOO_LONG;
  // op BOOTREPLY (2), htype Ethernet (1), hlen 6: the first three bytes
  if ((load<u32>(p, OFF_OP) & 0xffffff) != bytes4(2, 1, 6, 0)) return DHCP_NOT_REPLY;
  if (load<u32>(p, OFF_MAGIC) != MAGIC) return DHCP_BAD_MAGIC;
  if (get32(p + OFF_XID) != xid || load<u32>(p + OFF_CHADDR) != load<u32>(mac) ||
      load<u16>(p + OFF_CHADDR, 4) != load<u16>(mac, 4)) return DHCP_BAD_XID;
  let rc = walk(p + <usize>DHCP_FIXED_LEN, p + <usize>len);
  const overload = val(OPT_OVERLOAD);
  if (rc == 0 && (overload & 1)) rc = walk(p + OFF_FILE, p + OFF_MAGIC);
  if (rc == 0 && (overload & 2)) rc = walk(p + OFF_SNAME, p + OFF_FILE);
  if (rc < 0) return rc;
  const type = <i32>val(OPT_TYPE);                  // (1..8: option() checked it)
  if (type != DhcpType.OFFER && type != DhcpType.ACK && type != DhcpType.NAK) return DHCP_NO_TYPE;
  mYiaddr = get32(p + OFF_YIADDR);
  return type;
}

/**
 * Write a client message at p (at least DHCP_MIN_LEN bytes): type, xid, secs, our MAC, ciaddr, and
 * the options RFC 2131 table 5 asks for: requested address 50 and server id 54 when not 0, client id
 * 61 (type 1 + MAC), host name 12 when nameLen > 0, the parameter request list 55 for DISCOVER and
 * REQUEST. Returns the length (padded to DHCP_MIN_LEN).
 */
export function dhcpEmit(p: usize, type: i32, xid: u32, secs: u16, mac: usize, ciaddr: u32,
                         requested: u32, server: u32, name: usize, nameLen: i32): i32 {
  memory.fill(p, 0, <usize>DHCP_MIN_LEN);
  store<u32>(p, bytes4(1, 1, 6, 0), OFF_OP);      // op BOOTREQUEST, htype Ethernet, hlen 6, hops 0
  put32(p + OFF_XID, xid);
  put16(p + OFF_SECS, secs);
  put32(p + OFF_CIADDR, ciaddr);
  memory.copy(p + OFF_CHADDR, mac, 6);
  store<u32>(p, MAGIC, OFF_MAGIC);
  // 53 (1 byte: the type), then 61 (7 bytes: hardware type 1 and the MAC)
  let q = p + <usize>DHCP_FIXED_LEN;
  store<u32>(q, bytes4(OPT_TYPE, 1, <u32>type, OPT_CLIENT_ID));
  store<u16>(q, 7 | 1 << 8, 4);
  memory.copy(q + 6, mac, 6);
  q += 12;
  if (requested != 0) q = put4(q, OPT_REQUESTED, requested);
  if (server != 0) q = put4(q, OPT_SERVER, server);
  const asks = type == DhcpType.DISCOVER || type == DhcpType.REQUEST;
  if (nameLen > 0 && asks) {
    q = put8(q, OPT_HOSTNAME); q = put8(q, <u8>nameLen);
    memory.copy(q, name, <usize>nameLen); q += <usize>nameLen;
  }
  if (asks) { memory.copy(q, PARAMS, 10); q += 10; }
  q = put8(q, OPT_END);
  const n = <i32>(q - p);
  return n < DHCP_MIN_LEN ? DHCP_MIN_LEN : n;
}

/** Fields of a message we emitted (tests, the simulator's server reads them on the host side). */
export function dhcpXid(p: usize): u32 { return get32(p + OFF_XID); }
export function dhcpCiaddr(p: usize): u32 { return get32(p + OFF_CIADDR); }
export function dhcpSecs(p: usize): u16 { return get16(p + OFF_SECS); }
