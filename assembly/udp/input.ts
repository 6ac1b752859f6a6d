// UDP input (RFC 768, RFC 1122 4.1.3): a checked datagram goes to the socket bound to its
// destination port, or is answered with a rate-limited ICMP port unreachable; ICMP errors quoting
// a datagram we sent go to the socket that sent it.
import { UDP_UNREACH_MS } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { timeLt } from "../time";
import { ifaceIp, ifaceIsBroadcast } from "../iface/iface";
import { rxSrcIp, rxDstIp, rxPayload, rxPayloadLen, rxIpHdrLen, icmpErrDst, icmpErrQuoted, icmpErrErrno, unreachable } from "../iface/input";
import { ICMP_UNREACH_PORT } from "../wire/icmp";
import { UDP_BAD_CHECKSUM, udpCheck, udpData, udpDstPort, udpSrcPort } from "../wire/udp";
import { udpDeliver, udpError, udpLookup } from "./socket";

/** DHCP's client port (RFC 2131 4.1): reachable while the interface has no address yet. */
@inline const DHCP_CLIENT_PORT: u16 = 68;

let unreachSent = false;
let unreachAt: u32 = 0;

export function udpInputInit(): void { unreachSent = false; }

/** The datagram ifaceInput just handed up (it returned IPPROTO_UDP). */
export function udpRx(now: u32): i32 {
  const hl = rxIpHdrLen();
  return udpInput(rxSrcIp(), rxDstIp(), rxPayload(), rxPayloadLen(), rxPayload() - <usize>hl, hl, now);
}

/** The ICMP error ifaceInput just handed up, when it quotes a UDP datagram (icmpErrProto). */
export function udpIcmpRx(): i32 { return udpIcmp(icmpErrDst(), icmpErrQuoted(), icmpErrErrno()); }

/**
 * One UDP datagram: `len` bytes of IP payload at p, from src to dst (ours, a broadcast, or anything
 * while we have no address), inside the IP datagram at ip (header hl bytes, for the ICMP quote).
 * Returns 0 when queued, or a negative code (counted).
 */
export function udpInput(src: u32, dst: u32, p: usize, len: i32, ip: usize, hl: i32, now: u32): i32 {
  const n = udpCheck(p, len, src, dst);
  if (n < 0) {
    count(n == UDP_BAD_CHECKSUM ? C.DROP_UDP_CHECKSUM : C.DROP_UDP_SHORT);
    return Err.EINVAL;
  }
  const dport = udpDstPort(p);
  const sport = udpSrcPort(p);
  const broadcast = ifaceIsBroadcast(dst);
  if (ifaceIp() == 0 && !broadcast && dport != DHCP_CLIENT_PORT) { count(C.DROP_IP_NOT_US); return Err.EINVAL; }
  const i = udpLookup(dport, src, sport);
  if (i < 0) {
    count(C.DROP_UDP_NO_SOCKET);
    // RFC 1122 4.1.3.1: SHOULD answer with port unreachable; 3.2.2: never for a broadcast.
    if (!broadcast && ifaceIp() != 0) portUnreachable(src, ip, hl + len, hl, now);
    return Err.EAGAIN;
  }
  return udpDeliver(i, src, sport, udpData(p), n) ? 0 : Err.EAGAIN;
}

/** RFC 1122 3.2.2 / RFC 1812 4.3.2.8: at most one per UDP_UNREACH_MS. */
function portUnreachable(src: u32, ip: usize, ipLen: i32, hl: i32, now: u32): void {
  if (unreachSent && timeLt(now, unreachAt + UDP_UNREACH_MS)) { count(C.UDP_UNREACH_LIMITED); return; }
  unreachSent = true;
  unreachAt = now;
  if (unreachable(ICMP_UNREACH_PORT, src, ip, hl, ipLen, now) == 0) count(C.UDP_UNREACH_TX);
}

/** An ICMP error quoting our UDP datagram to dst, whose first 8 bytes are at q, meaning err
 *  (iface/input.ts icmpErrno): reported to its socket (RFC 1122 4.1.3.3: UDP MUST pass every ICMP
 *  error up). 0, or Err.EINVAL. */
export function udpIcmp(dst: u32, q: usize, err: i32): i32 {
  if (!udpError(udpSrcPort(q), dst, udpDstPort(q), err)) { count(C.DROP_ICMP_STALE); return Err.EINVAL; }
  count(C.UDP_ICMP_ERRORS);
  return 0;
}
