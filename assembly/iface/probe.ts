// IPv4 address conflict detection (RFC 5227): the frames and the watch. The DHCP client drives the
// timing (dhcp/client.ts); arpInput shows every ARP packet to probeObserve. arpSend builds every ARP
// frame the core sends (arp.ts's requests and replies too).
import { C, count } from "../counters";
import { hostTx } from "../abi";
import { ETH_HDR_LEN, ETHERTYPE_ARP, MAC_BROADCAST, MAC_ZERO, ethEmit, macEqual } from "../wire/ethernet";
import { ARP_LEN, ARP_REQUEST, arpEmit, arpSha, arpSpa, arpTpa } from "../wire/arp";
import { ifaceMac } from "./iface";

const FRAME = memory.data(ETH_HDR_LEN + ARP_LEN);
let watched: u32 = 0;
let conflict = false;
let held = false;

/** Watch ip for a conflict from now on (0: stop watching); held: ip is ours (bound), so only a
 *  packet claiming it conflicts (RFC 5227 2.4), not another host's probe (our ARP reply answers it). */
export function probeWatch(ip: u32, bound: bool = false): void { watched = ip; conflict = false; held = bound; }
/** Another host showed it uses (or is probing for) the watched address. */
export function probeConflict(): bool { return conflict; }

/** Send an ARP packet from our MAC to the Ethernet address `to` (built in its own 42 bytes, never in
 *  the tx frame that may hold a caller's payload). */
export function arpSend(oper: u16, to: usize, spa: u32, tha: usize, tpa: u32): void {
  ethEmit(FRAME, to, ifaceMac(), ETHERTYPE_ARP);
  arpEmit(FRAME + ETH_HDR_LEN, oper, ifaceMac(), spa, tha, tpa);
  hostTx(FRAME, ETH_HDR_LEN + ARP_LEN);
  count(C.ARP_TX);
  count(C.TX_FRAMES);
}

/** RFC 5227 2.1.1: a probe is a request with sender address 0 and target ip; 2.3: an announcement
 *  has ip as both sender and target. */
export function probeSend(ip: u32, announce: bool): void {
  arpSend(ARP_REQUEST, MAC_BROADCAST, announce ? ip : 0, MAC_ZERO, ip);
}

/** RFC 5227 2.1.1: a conflict is any ARP packet whose sender address is the watched one, or (while
 *  probing) a probe (sender 0) for it from another host — always from a hardware address that is not ours. */
export function probeObserve(p: usize): void {
  if (watched == 0 || macEqual(arpSha(p), ifaceMac())) return;
  const spa = arpSpa(p);
  if (spa == watched || (!held && spa == 0 && arpTpa(p) == watched)) conflict = true;
}
