// Frame input: Ethernet → ARP, or IPv4 validation → ICMP (answered here) or TCP (handed up).
// Every frame ends in exactly one place: handled, handed up, or dropped under one counter.
import { C, count } from "../counters";
import { Err } from "../errors";
import {
  ETH_HDR_LEN, ETHERTYPE_ARP, ETHERTYPE_IPV4, ethCheck, ethDst, ethType, macEqual, macIsBroadcast,
} from "../wire/ethernet";
import {
  IPPROTO_ICMP, IPPROTO_TCP, IPV4_BAD_CHECKSUM, IPV4_FRAGMENT, ipv4Check, ipv4Dst, ipv4IsMartianSrc,
  ipv4Proto, ipv4Src, ipv4TotalLen,
} from "../wire/ipv4";
import {
  ICMP_DEST_UNREACH, ICMP_ECHO_REQUEST, ICMP_TIME_EXCEEDED, ICMP_PARAM_PROBLEM, ICMP_UNREACH_PROTO, ICMP_UNREACH_PORT, ICMP_UNREACH_NET,
  ICMP_UNREACH_NEEDFRAG, icmpCheck, icmpCode, icmpData, icmpEmitEchoReply,
  icmpEmitUnreach, icmpNextHopMtu, icmpQuotedCheck, icmpType, ICMP_HDR_LEN,
} from "../wire/icmp";
import { IPPROTO_UDP } from "../wire/udp";
import { ifaceIp, ifaceIsBroadcast, ifaceMac, ifaceUp } from "./iface";
import { arpInput } from "./arp";
import { ipOutput, ipTxPayload, ipTxPayloadMax } from "./output";

let rxSrc: u32 = 0;
let rxDst: u32 = 0;
let rxPay: usize = 0;
let rxPayLen: i32 = 0;

let errErrno: i32 = 0;
let errDst: u32 = 0;
let errMtu: u32 = 0;
let errL4: usize = 0;
let errProto: i32 = 0;
let rxHl: i32 = 0;

/** The ICMP error that ifaceInput last handed up (it returned IPPROTO_ICMP): what it means to the
 *  socket that sent the quote (icmpErrno), */
export function icmpErrErrno(): i32 { return errErrno; }
/** the quoted datagram's destination (the peer we sent it to), */
export function icmpErrDst(): u32 { return errDst; }
/** the next-hop MTU (code 4, RFC 1191), */
export function icmpErrMtu(): u32 { return errMtu; }
/** and the first 8 bytes of the quoted TCP or UDP header (ports; TCP's sequence number), */
export function icmpErrQuoted(): usize { return errL4; }
/** the quoted datagram's protocol (IPPROTO_TCP or IPPROTO_UDP). */
export function icmpErrProto(): i32 { return errProto; }
/** IP header length of the datagram last handed up (its header ends where rxPayload starts). */
export function rxIpHdrLen(): i32 { return rxHl; }

/** Source address of the TCP segment ifaceInput last handed up. */
export function rxSrcIp(): u32 { return rxSrc; }
/** Destination address (ours) of that segment. */
export function rxDstIp(): u32 { return rxDst; }
/** Pointer to that TCP segment (after the IP header and its options). */
export function rxPayload(): usize { return rxPay; }
/** Its length: IP total length − header length (Ethernet padding excluded). */
export function rxPayloadLen(): i32 { return rxPayLen; }

/**
 * Process one received Ethernet frame of len bytes at frame. Returns IPPROTO_TCP (6) or
 * IPPROTO_UDP (17) when it carries a TCP segment or UDP datagram for us (then rxSrcIp/rxDstIp/rxPayload/rxPayloadLen describe it),
 * IPPROTO_ICMP (1) when it is an ICMP error (unreachable, time exceeded, parameter problem) quoting a TCP segment or UDP datagram we sent (then the
 * icmpErr* accessors describe it; the top module hands it to TCP), 0 when it was consumed here
 * (ARP, other ICMP), or a negative code when it was dropped (also counted):
 * Err.EINVAL malformed or not for us, Err.EOPNOTSUPP a protocol or feature we do not handle.
 */
export function ifaceInput(frame: usize, len: i32, now: u32): i32 {
  if (!ifaceUp()) return Err.EINVAL;
  if (!ethCheck(frame, len)) { count(C.DROP_ETH_SHORT); return Err.EINVAL; }
  const dmac = ethDst(frame);
  if (!macEqual(dmac, ifaceMac()) && !macIsBroadcast(dmac)) { count(C.DROP_ETH_NOT_US); return Err.EINVAL; }
  const type = ethType(frame);
  const p = frame + <usize>ETH_HDR_LEN;
  const n = len - ETH_HDR_LEN;
  if (type == ETHERTYPE_ARP) return arpInput(p, n, now);
  if (type == ETHERTYPE_IPV4) return ipInput(p, n, now);
  count(C.DROP_ETHERTYPE);
  return Err.EOPNOTSUPP;
}

/** RFC 791 / RFC 1122 3.2.1: validate, check the addresses, dispatch on protocol. */
function ipInput(p: usize, len: i32, now: u32): i32 {
  const hl = ipv4Check(p, len);
  if (hl < 0) {
    if (hl == IPV4_BAD_CHECKSUM) { count(C.DROP_IP_CHECKSUM); return Err.EINVAL; }
    if (hl == IPV4_FRAGMENT) { count(C.DROP_IP_FRAGMENT); return Err.EOPNOTSUPP; }
    count(C.DROP_IP_MALFORMED);
    return Err.EINVAL;
  }
  const dst = ipv4Dst(p);
  // UDP also takes broadcasts, and anything while we have no address yet (DHCP; udp/input.ts filters)
  const udp = ipv4Proto(p) == IPPROTO_UDP && (ifaceIsBroadcast(dst) || ifaceIp() == 0);
  if (dst != ifaceIp() && !udp) { count(C.DROP_IP_NOT_US); return Err.EINVAL; }
  const src = ipv4Src(p);
  // RFC 1122 3.2.1.3: a broadcast, multicast, loopback or zero source is silently discarded.
  if (ipv4IsMartianSrc(src) || ifaceIsBroadcast(src)) { count(C.DROP_IP_MALFORMED); return Err.EINVAL; }
  const pay = p + <usize>hl;
  const payLen = ipv4TotalLen(p) - hl;
  const proto = ipv4Proto(p);
  if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
    rxHl = hl;
    rxSrc = src;
    rxDst = dst;
    rxPay = pay;
    rxPayLen = payLen;
    return proto;
  }
  if (proto == IPPROTO_ICMP) return icmpInput(src, pay, payLen, now);
  // RFC 1122 3.2.2.1: SHOULD answer an unknown protocol with protocol unreachable.
  count(C.DROP_IP_PROTO);
  unreachable(ICMP_UNREACH_PROTO, src, p, hl, hl + payLen, now);
  return Err.EOPNOTSUPP;
}

/** Answer the datagram at ip (header hl bytes, ipLen in all) from src with a Destination
 *  Unreachable of `code` quoting it. 0 when sent (ipOutput). */
export function unreachable(code: u8, src: u32, ip: usize, hl: i32, ipLen: i32, now: u32): i32 {
  return ipOutput(src, IPPROTO_ICMP, icmpEmitUnreach(ipTxPayload(), code, ip, hl, ipLen, 0), now);
}

/** RFC 792: answer echo requests; count unreachables (TCP learns of failures by its own timers). */
function icmpInput(src: u32, p: usize, len: i32, now: u32): i32 {
  if (!icmpCheck(p, len)) { count(C.DROP_ICMP_MALFORMED); return Err.EINVAL; }
  count(C.ICMP_RX);
  const type = icmpType(p);
  if (type == ICMP_ECHO_REQUEST && icmpCode(p) == 0) {
    if (len > ipTxPayloadMax()) return 0; // cannot happen for a frame ≤ FRAME_MAX
    // RFC 1122 3.2.2.6: the reply carries the request's identifier, sequence number and data.
    icmpEmitEchoReply(ipTxPayload(), p, len);
    if (ipOutput(src, IPPROTO_ICMP, len, now) == 0) count(C.ICMP_ECHO_REPLIED);
    return 0;
  }
  if (type == ICMP_DEST_UNREACH) count(C.ICMP_UNREACH_RX);
  // RFC 1122 3.2.2 (MUST): Destination Unreachable, Time Exceeded and Parameter Problem go to the
  // transport; for TCP all but some unreachables are soft errors (RFC 1122 4.2.3.9, RFC 5927 4)
  if (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM) return quotedTransport(p, len);
  return 0;
}

/** RFC 1122 3.2.2.1 (MUST): a Destination Unreachable goes to the transport that sent the quoted
 *  datagram — TCP or UDP, when the quote is one of our segments or datagrams (RFC 5927 4: the rest is checked
 *  against the connection's state up there). */
function quotedTransport(p: usize, len: i32): i32 {
  const q = icmpData(p);
  const hl = icmpQuotedCheck(q, len - ICMP_HDR_LEN);
  const proto = hl < 0 ? 0 : <i32>ipv4Proto(q);
  if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || ipv4Src(q) != ifaceIp()) return 0;
  errProto = proto;
  errErrno = icmpErrno(icmpType(p), icmpCode(p));
  errDst = ipv4Dst(q);
  errMtu = <u32>icmpNextHopMtu(p);
  errL4 = q + <usize>hl;
  return IPPROTO_ICMP;
}

/** RFC 1122 4.1.3.3 and 4.2.3.9: the error an ICMP message means to the socket that sent the quoted
 *  datagram, as Linux maps them: Parameter Problem EPROTO, Time Exceeded EHOSTUNREACH; of the
 *  Destination Unreachable codes port and protocol ECONNREFUSED (TCP's hard errors), net
 *  ENETUNREACH, fragmentation needed EMSGSIZE (RFC 1191), the others EHOSTUNREACH. */
function icmpErrno(type: u8, code: u8): i32 {
  return type == ICMP_PARAM_PROBLEM ? Err.EPROTO
    : type != ICMP_DEST_UNREACH ? Err.EHOSTUNREACH
    : code == ICMP_UNREACH_PORT || code == ICMP_UNREACH_PROTO ? Err.ECONNREFUSED
    : code == ICMP_UNREACH_NET ? Err.ENETUNREACH
    : code == ICMP_UNREACH_NEEDFRAG ? Err.EMSGSIZE : Err.EHOSTUNREACH;
}
