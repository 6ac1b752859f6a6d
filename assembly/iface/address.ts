// Changing the interface's address at run time (DHCP, or the host's iface_set call). The host hears
// of every change through events; an address that goes away is kept for addressLostTake(), so that
// index.ts ends the connections that used it (socket/address.ts): iface knows no TCP.
import { Err } from "../errors";
import { eventPush, Ev } from "../storage/events";
import { addressValid, ifaceGateway, ifaceIp, ifaceMask, ifaceSet } from "./iface";
import { DHCP_DNS_MAX } from "../wire/dhcp";

function prefixOf(mask: u32): i32 { return <i32>popcnt(mask); }

/** Replace address, prefix and gateway (ip 0: unconfigured). 0, or Err.EINVAL (nothing changed). */
export function addressSet(ip: u32, prefixLen: i32, gateway: u32): i32 {
  if (!addressValid(ip, prefixLen, gateway)) return Err.EINVAL;
  const oldIp = ifaceIp();
  const oldPrefix = prefixOf(ifaceMask());
  const oldGw = ifaceGateway();
  ifaceSet(ip, prefixLen, gateway);
  if (oldIp != 0 && oldIp != ip) lost = oldIp;
  if (oldIp != ifaceIp() || oldPrefix != prefixOf(ifaceMask())) eventPush(Ev.ADDRESS, prefixOf(ifaceMask()), <i32>ifaceIp());
  if (oldGw != ifaceGateway()) eventPush(Ev.GATEWAY, 0, <i32>ifaceGateway());
  return 0;
}

let lost: u32 = 0;

/** The address that went away since the last call (0: none), once. */
export function addressLostTake(): u32 { const l = lost; lost = 0; return l; }

// The DNS servers learned with the address (DHCP option 6). They live here, beside the address,
// so that the resolver (dns/) reads what the DHCP client (dhcp/) learned without either knowing
// the other: the two are one layer.
const learned = memory.data(DHCP_DNS_MAX * 4);
let learnedCount: i32 = 0;

/** Take n (≤ DHCP_DNS_MAX) servers from p; n = 0 forgets them. */
export function learnedDnsSet(p: usize, n: i32): void {
  memory.copy(learned, p, <usize>n << 2);
  learnedCount = n;
}
export function learnedDnsCount(): i32 { return learnedCount; }
/** Server i of those learned, 0 past the end. */
export function learnedDns(i: i32): u32 { return <u32>i < <u32>learnedCount ? load<u32>(learned + (<usize>i << 2)) : 0; }
