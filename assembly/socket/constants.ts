// Numbers the host sees: socket options (docs/abi.md). States are in tcp/state.ts, event kinds
// in storage/events.ts.

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
