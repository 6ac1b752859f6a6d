// Bringing the interface up: its address and tx frame (iface.ts), then the ARP cache and pending
// queue (arp.ts, which reads the address from iface.ts).
import { arpTableInit } from "./arp";
import { ifaceConfigure, ifaceStart } from "./iface";

/** Configure the interface and lay out its regions (tx frame, ARP cache, pending-ARP queue).
 *  Err.EINVAL (and nothing allocated) for a bad address, prefix, MAC or gateway (ifaceConfigure). */
export function ifaceInit(macHi: u32, macLo: u32, ip: u32, prefixLen: i32, gateway: u32): i32 {
  const rc = ifaceConfigure(macHi, macLo, ip, prefixLen, gateway);
  if (rc != 0) return rc;
  arpTableInit();
  ifaceStart();
  return 0;
}
