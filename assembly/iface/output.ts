// IPv4 output: the caller writes its L4 segment at ipTxPayload(), then ipOutput() wraps it in IPv4
// and Ethernet and hands the frame to the host, or parks it until the next hop's MAC is known.
import { FRAME_MAX, IP_TTL, MTU } from "../config";
import { C, count } from "../counters";
import { Err } from "../errors";
import { hostTx } from "../abi";
import { ETH_HDR_LEN, ETHERTYPE_IPV4, MAC_BROADCAST, ethEmit, macCopy } from "../wire/ethernet";
import { IPV4_HDR_LEN, ipv4Emit } from "../wire/ipv4";
import { ifaceIp, ifaceIsBroadcast, ifaceMac, ifaceNextHop, ifaceTxFrame, ifaceUp } from "./iface";
import { arpFailed, arpLookup, arpPendingPush, arpPoll, arpResolve, arpRevalidate } from "./arp";

let ipId: u32 = 0;   // (the header takes its low 16 bits)

/** Where the caller writes the L4 segment: tx frame + 14 + 20. */
export function ipTxPayload(): usize { return ifaceTxFrame() + <usize>(ETH_HDR_LEN + IPV4_HDR_LEN); }

/** Largest L4 segment ipOutput takes: MTU − 20. */
export function ipTxPayloadMax(): i32 { return MTU - IPV4_HDR_LEN; }

/**
 * Send the payloadLen bytes at ipTxPayload() to dst as protocol proto. 0 when sent or queued for
 * ARP resolution (TCP's retransmission covers a queued frame that is later dropped);
 * Err.ENETUNREACH (counted TX_NO_ROUTE) when dst is off-link and there is no gateway;
 * Err.EINVAL before ifaceInit, for a length outside 0..ipTxPayloadMax(), or dst 0 / our own address.
 */
export function ipOutput(dst: u32, proto: u8, payloadLen: i32, now: u32): i32 {
  if (!ifaceUp() || <u32>payloadLen > <u32>ipTxPayloadMax()) return Err.EINVAL;   // (a negative length too)
  if (dst == 0 || dst == ifaceIp()) return Err.EINVAL;
  const frame = ifaceTxFrame();
  const len = ETH_HDR_LEN + IPV4_HDR_LEN + payloadLen;
  ipv4Emit(frame + <usize>ETH_HDR_LEN, ifaceIp(), dst, proto, payloadLen, <u16>(ipId++), IP_TTL);
  ethEmit(frame, MAC_BROADCAST, ifaceMac(), ETHERTYPE_IPV4);   // to a unicast dst: its next hop's MAC below
  if (!ifaceIsBroadcast(dst)) {
    const hop = ifaceNextHop(dst);
    if (hop == 0) { count(C.TX_NO_ROUTE); return Err.ENETUNREACH; }
    const mac = arpLookup(hop, now);
    if (mac == 0) {
      // Unresolved: ask, and park the frame (destination MAC filled on resolution); with no room in
      // the cache for hop (a flood of unanswered next hops: arp.ts entryAlloc) it is dropped, as lost
      if (arpResolve(hop, now)) arpPendingPush(hop, frame, len);
      else count(C.ARP_PENDING_DROPPED);
      return 0;
    }
    macCopy(frame, mac);
  }
  hostTx(frame, len);
  count(C.TX_FRAMES);
  return 0;
}

/** Negative advice from TCP (RFC 9293 3.8.3 R1, RFC 1122 4.2.3.5): check the next hop to dst. */
export function ipNegativeAdvice(dst: u32): void {
  const hop = ifaceNextHop(dst);
  if (hop == 0) return;
  count(C.IP_NEGATIVE_ADVICE);
  arpRevalidate(hop);
}

/** The next hop towards dst did not answer ARP (recently): dst is unreachable from here. */
export function ipNextHopFailed(dst: u32): bool {
  const hop = ifaceNextHop(dst);
  return hop != 0 && arpFailed(hop);
}

/** Interface timers (ARP retries and aging). Returns ms until the next deadline, or -1. */
export function ifacePoll(now: u32): i32 {
  if (!ifaceUp()) return -1;
  return arpPoll(now);
}

// FRAME_MAX bounds every frame built here: 14 + 20 + (MTU − 20) = MTU + 14.
// @ts-ignore: decorator
if (ETH_HDR_LEN + MTU > FRAME_MAX) ERROR("tx frame smaller than MTU + Ethernet header");
