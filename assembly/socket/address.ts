// An address that went away (iface/address.ts) ends every connection that used it with
// EADDRNOTAVAIL; the peer is not told (the address is no longer ours to send from).
import { MAX_CONNS } from "../config";
import { Err } from "../errors";
import { addressLostTake } from "../iface/address";
import { State } from "../tcp/state";
import { tcbAt, tcbClose, tcbNext } from "../tcp/tcb";

/** After any call that may change the address (poll, rx, dhcp_*, iface_set). */
export function connectionsSettle(): void {
  const ip = addressLostTake();
  if (ip == 0) return;
  for (let i = tcbNext(0); i < MAX_CONNS; i = tcbNext(i + 1)) {
    const t = tcbAt(i);
    if (t.lip == ip && t.state != State.CLOSED) tcbClose(t, Err.EADDRNOTAVAIL);
  }
}
