// Error codes returned by every ABI call: ≥ 0 is a count or a handle, < 0 is one of these,
// negated. The numbers are Linux errno values, so a host maps them to its own names
// (Node: 'ECONNREFUSED', …) with one table. The host's list is generated from this file.

export namespace Err {
  @inline export const EPERM: i32 = -1;
  @inline export const EBADF: i32 = -9;          // not a valid handle (or a stale one)
  @inline export const EAGAIN: i32 = -11;        // nothing now: no data, ring full, nothing to accept
  @inline export const ENOMEM: i32 = -12;        // init: the profile's regions do not fit linear memory
  @inline export const EINVAL: i32 = -22;        // bad argument: length, address, port, pointer range
  @inline export const EMFILE: i32 = -24;        // connection or listener table full
  @inline export const EPIPE: i32 = -32;        // send after shutdown/close of the sending side
  @inline export const EPROTO: i32 = -71;        // soft error: an ICMP Parameter Problem quoted our segment
  @inline export const EMSGSIZE: i32 = -90;      // frame longer than the rx buffer
  @inline export const EOPNOTSUPP: i32 = -95;    // operation not valid for this kind of handle
  @inline export const EADDRINUSE: i32 = -98;    // port already listening, or 4-tuple in use (TIME_WAIT)
  @inline export const EADDRNOTAVAIL: i32 = -99; // the interface has no address (yet, or any more: a lease ended)
  @inline export const ENETUNREACH: i32 = -101;  // no route: off-link destination and no gateway
  @inline export const ECONNABORTED: i32 = -103; // connection aborted locally
  @inline export const ECONNRESET: i32 = -104;   // peer sent RST
  @inline export const ENOBUFS: i32 = -105;      // no buffer space (pending-ARP queue full, …)
  @inline export const EISCONN: i32 = -106;      // already connected
  @inline export const ENOTCONN: i32 = -107;     // not connected (yet, or any more)
  @inline export const ETIMEDOUT: i32 = -110;    // retransmissions exhausted
  @inline export const ECONNREFUSED: i32 = -111; // RST in answer to our SYN
  @inline export const EHOSTUNREACH: i32 = -113; // ARP resolution failed
  @inline export const EALREADY: i32 = -114;     // already closing
}
