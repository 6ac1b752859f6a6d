// Interface configuration: our MAC and IPv4 address, the on-link prefix and the default gateway,
// and the tx frame region. Knows addresses, not TCP. ifaceInit (init.ts) sets it up with the ARP
// cache.
import { Err } from "../errors";
import { Region, regionAlloc } from "../storage/layout";
import { FRAME_MAX } from "../config";
import { macFromParts } from "../wire/ethernet";

const MAC = memory.data(8);
let ifIp: u32 = 0;
let ifMask: u32 = 0;
let ifGateway: u32 = 0;
let ifUp = false;
let txFrame: usize = 0;

function prefixMask(prefixLen: i32): u32 {
  return prefixLen == 0 ? 0 : <u32>0xffffffff << <u32>(32 - prefixLen);
}

/**
 * Configure the interface and lay out its tx frame (ifaceInit in init.ts adds the ARP cache, then
 * ifaceStart); ip 0: no address yet, e.g. until DHCP leases one (prefix and gateway are then
 * ignored). MAC = macHi (low 16 bits = bytes 0–1) + macLo
 * (bytes 2–5, big-endian), as the ABI's init passes it. Err.EINVAL (and nothing allocated) for a
 * prefix outside 0..32, a multicast/broadcast or class E address, a group MAC, or a gateway
 * that is neither 0 nor on-link (nor our own address).
 */
export function ifaceConfigure(macHi: u32, macLo: u32, ip: u32, prefixLen: i32, gateway: u32): i32 {
  if ((macHi & 0x0100) != 0) return Err.EINVAL; // I/G bit of byte 0: a group address
  if (!addressValid(ip, prefixLen, gateway)) return Err.EINVAL;
  macFromParts(MAC, macHi, macLo);
  ifaceSet(ip, prefixLen, gateway);
  txFrame = regionAlloc(Region.TX_FRAME, <usize>FRAME_MAX);
  return 0;
}

/** ip/prefixLen/gateway can be an interface's configuration (ip 0: none, the rest ignored). */
export function addressValid(ip: u32, prefixLen: i32, gateway: u32): bool {
  if (ip == 0) return true;
  if (<u32>prefixLen > 32 || ip >= 0xe0000000 || (ip >>> 24) == 0 || (ip >>> 24) == 127) return false;
  const mask = prefixMask(prefixLen);
  return gateway == 0 || (((gateway ^ ip) & mask) == 0 && gateway != ip);
}

/** Replace the address, prefix and gateway at run time (addressValid first; iface/address.ts
 *  tells the host and the connections). */
export function ifaceSet(ip: u32, prefixLen: i32, gateway: u32): void {
  ifIp = ip;
  ifMask = ip == 0 ? 0 : prefixMask(prefixLen);
  ifGateway = ip == 0 ? 0 : gateway;
}

/** Input, output and poll work from now on. */
export function ifaceStart(): void { ifUp = true; }

/** Our IPv4 address (0 before ifaceConfigure, and while unconfigured). */
export function ifaceIp(): u32 { return ifIp; }
/** Pointer to our 6 MAC bytes. */
export function ifaceMac(): usize { return MAC; }
export function ifaceMask(): u32 { return ifMask; }
export function ifaceGateway(): u32 { return ifGateway; }
export function ifaceUp(): bool { return ifUp; }
/** Forget the configuration: input, output and poll refuse until the next ifaceInit (tests). */
export function ifaceDown(): void { ifUp = false; }
/** The region outgoing frames are built in (FRAME_MAX bytes). */
export function ifaceTxFrame(): usize { return txFrame; }

/** dst is in our subnet (every address is, with prefix 0). */
export function ifaceOnLink(dst: u32): bool { return ((dst ^ ifIp) & ifMask) == 0; }

/** The limited broadcast or our subnet's directed broadcast (prefix ≤ 30). */
export function ifaceIsBroadcast(dst: u32): bool {
  if (dst == 0xffffffff) return true;
  return ifMask != 0 && ifMask < 0xfffffffe && ifaceOnLink(dst) && (dst | ifMask) == 0xffffffff;
}

/** A datagram to dst can leave: on-link, or a gateway is set. */
export function ifaceRoutable(dst: u32): bool {
  if (!ifUp || dst == 0) return false;
  return ifaceOnLink(dst) || ifGateway != 0;
}

/** Next hop for dst: dst when on-link, else the gateway; 0 = no route. */
export function ifaceNextHop(dst: u32): u32 {
  if (ifaceOnLink(dst)) return dst;
  return ifGateway;
}
