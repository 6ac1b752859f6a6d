// The io buffer: the only place in linear memory where the host puts or takes data for a socket
// call (tcp_send/recv, udp_sendto/recvfrom, dns_query/result). Every (ptr, len) an ABI call takes is
// checked here.

let ioBase: usize = 0;
let ioSize: i32 = 0;

export function ioInit(io: usize, size: i32): void {
  ioBase = io;
  ioSize = size;
}

/** Where the io buffer starts: 0 until an init() succeeded (as ioRange refuses every range). */
export function ioBuffer(): usize { return ioBase; }

/** A pointer range the host may use for data: inside the io buffer only. The ABI passes i32s; a
 *  pointer is unsigned, so both are widened as u32 before the sum (sign-extending 0xfffffff0 made
 *  [ptr, ptr + len) wrap around to a small number and pass). */
export function ioRange(ptr: i32, len: i32): bool {
  if (len < 0) return false;
  const start = <u64><u32>ptr;
  return start >= <u64>ioBase && start + <u64><u32>len <= <u64>ioBase + <u64><u32>ioSize;
}
