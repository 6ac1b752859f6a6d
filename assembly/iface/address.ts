// Changing the interface's address at run time (DHCP, or the host's iface_set call): the one place
// where iface reaches up. The host hears of every change through events; connections that used an
// address that goes away end with EADDRNOTAVAIL (the peer is not told: the address is no longer ours
// to send from).
import { MAX_CONNS } from "../config";
import { Err } from "../errors";
import { eventPush } from "../storage/events";
import { Ev } from "../storage/events";
import { State } from "../tcp/state";
import { tcbAt, tcbClose, TF } from "../tcp/tcb";
import { addressValid, ifaceGateway, ifaceIp, ifaceMask, ifaceSet } from "./iface";

function prefixOf(mask: u32): i32 { return <i32>popcnt(mask); }

/** Replace address, prefix and gateway (ip 0: unconfigured). 0, or Err.EINVAL (nothing changed). */
export function addressSet(ip: u32, prefixLen: i32, gateway: u32): i32 {
  if (!addressValid(ip, prefixLen, gateway)) return Err.EINVAL;
  const oldIp = ifaceIp();
  const oldPrefix = prefixOf(ifaceMask());
  const oldGw = ifaceGateway();
  ifaceSet(ip, prefixLen, gateway);
  if (oldIp != 0 && oldIp != ip) connectionsLost(oldIp);
  if (oldIp != ifaceIp() || oldPrefix != prefixOf(ifaceMask())) eventPush(Ev.ADDRESS, prefixOf(ifaceMask()), <i32>ifaceIp());
  if (oldGw != ifaceGateway()) eventPush(Ev.GATEWAY, 0, <i32>ifaceGateway());
  return 0;
}

/** Every connection from `ip` ends: EADDRNOTAVAIL to its owner. */
function connectionsLost(ip: u32): void {
  for (let i = 0; i < MAX_CONNS; i++) {
    const t = tcbAt(i);
    if ((t.flags & TF.IN_USE) && t.lip == ip && t.state != State.CLOSED) tcbClose(t, Err.EADDRNOTAVAIL);
  }
}
