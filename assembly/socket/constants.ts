// Numbers the host sees: connection states (RFC 9293 3.3.2) and event kinds (docs/abi.md).

export namespace State {
  @inline export const CLOSED: i32 = 0;
  @inline export const LISTEN: i32 = 1;
  @inline export const SYN_SENT: i32 = 2;
  @inline export const SYN_RECEIVED: i32 = 3;
  @inline export const ESTABLISHED: i32 = 4;
  @inline export const FIN_WAIT_1: i32 = 5;
  @inline export const FIN_WAIT_2: i32 = 6;
  @inline export const CLOSE_WAIT: i32 = 7;
  @inline export const CLOSING: i32 = 8;
  @inline export const LAST_ACK: i32 = 9;
  @inline export const TIME_WAIT: i32 = 10;
}

export namespace Ev {
  @inline export const CONNECTED: i32 = 1;
  @inline export const READABLE: i32 = 2;
  @inline export const WRITABLE: i32 = 3;
  @inline export const EOF: i32 = 4;
  @inline export const CLOSED: i32 = 5;
  @inline export const ERROR: i32 = 6;
  @inline export const ACCEPTABLE: i32 = 7;
  @inline export const STATE: i32 = 8;
  @inline export const UDP_READABLE: i32 = 9;   // a UDP socket's queue went from empty to not empty
  @inline export const UDP_ERROR: i32 = 10;     // an ICMP error for a UDP socket (arg: the errno)
  @inline export const ADDRESS: i32 = 11;       // our address changed (handle: prefix length, arg: address; 0 = gone)
  @inline export const GATEWAY: i32 = 12;       // the default gateway changed (arg: address; 0 = none)
  @inline export const DNS: i32 = 13;           // DHCP's DNS servers changed (handle: count, arg: the first; 0 = none)
  @inline export const DHCP_STATE: i32 = 14;    // the DHCP client changed state (handle: DhcpState, arg: the address it holds)
  @inline export const DNS_RESULT: i32 = 15;    // a DNS query finished (handle: the query; arg: addresses, or -errno)
}

/** Options of tcp_set_option (docs/abi.md). */
export namespace Opt {
  @inline export const NODELAY: i32 = 1;        // 1 = send small segments at once (Nagle off)
  @inline export const KEEPALIVE: i32 = 2;      // idle ms before the first keepalive probe; 0 = off
  @inline export const KEEPINTVL: i32 = 3;      // ms between unanswered probes
  @inline export const KEEPCNT: i32 = 4;        // unanswered probes before ETIMEDOUT
  @inline export const USER_TIMEOUT: i32 = 5;   // ms data may stay unacknowledged before ETIMEDOUT; 0 = default
  // stack-wide (tcp_set_default), for connections opened afterwards: 1 = offer on the SYN (default)
  @inline export const SACK: i32 = 6;           // RFC 2018 SACK-permitted
  @inline export const TIMESTAMPS: i32 = 7;     // RFC 7323 timestamps (and PAWS)
  @inline export const WINDOW_SCALING: i32 = 8; // RFC 7323 window scale
  @inline export const PERSIST_TIMEOUT: i32 = 9; // ms a peer may keep its window shut on waiting data; 0 = no limit
}
