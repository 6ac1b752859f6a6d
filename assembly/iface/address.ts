// Changing the interface's address at run time (DHCP, or the host's iface_set call). The host hears
// of every change through events; an address that goes away is kept for addressLostTake(), so that
// index.ts ends the connections that used it (socket/address.ts): iface knows no TCP.
import { Err } from "../errors";
import { eventPush, Ev } from "../storage/events";
import { addressValid, ifaceGateway, ifaceIp, ifaceMask, ifaceSet } from "./iface";

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

/** The DNS servers that came with the address (DHCP option 6, at most 3; 0: none): set by the DHCP
 *  client with the lease and cleared with it, read by the resolver when it needs a server. */
const DNS = memory.data(12);
export function addressDnsSet(i: i32, ip: u32): void { store<u32>(DNS + (<usize>i << 2), ip); }
export function addressDns(i: i32): u32 { return load<u32>(DNS + (<usize>i << 2)); }

/** The address that went away since the last call (0: none), once. */
export function addressLostTake(): u32 { const l = lost; lost = 0; return l; }
