// Connection states (RFC 9293 3.3.2); the numbers are part of the ABI (docs/abi.md).

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
