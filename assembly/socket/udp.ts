// The ABI's UDP calls for the app (docs/abi.md, "UDP"): handle ownership and pointer/length checks
// in front of udp/socket.ts. The app may touch only the sockets it opened (UDP_OWNER_APP): the
// core's DHCP and DNS clients' sockets answer EBADF. Data and the meta record must lie in the IO
// buffer, as for tcp_send/tcp_recv.
import { Err } from "../errors";
import { UDP_OWNER_APP, META_SIZE, udpOpen, udpOwner, udpBind, udpConnect, udpSendTo, udpRecvFrom,
         udpClose, udpLocalPort, udpPending } from "../udp/socket";

let ioBase: usize = 0;
let ioSize: u32 = 0;

export function udpApiInit(io: usize, size: i32): void { ioBase = io; ioSize = <u32>size; }

/** [ptr, ptr + len) lies inside the IO buffer (ptr and len read as unsigned). */
function ioRange(ptr: i32, len: i32): bool {
  const start = <u64><u32>ptr;
  return start >= <u64>ioBase && start + <u64><u32>len <= <u64>ioBase + <u64>ioSize;
}

function appOwned(h: i32): bool { return udpOwner(h) == <i32>UDP_OWNER_APP; }

export function open(): i32 { return udpOpen(UDP_OWNER_APP); }

export function bind(h: i32, port: i32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (<u32>port > 0xffff) return Err.EINVAL;
  return udpBind(h, <u16>port);
}

export function connect(h: i32, ip: u32, port: i32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (<u32>port > 0xffff) return Err.EINVAL;
  return udpConnect(h, ip, <u16>port);
}

export function sendTo(h: i32, ip: u32, port: i32, ptr: i32, len: i32, now: u32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (<u32>port > 0xffff || !ioRange(ptr, len)) return Err.EINVAL;
  return udpSendTo(h, ip, <u16>port, <usize><u32>ptr, <u32>len, now);
}

export function recvFrom(h: i32, ptr: i32, cap: i32, meta: i32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (!ioRange(ptr, cap) || !ioRange(meta, META_SIZE)) return Err.EINVAL;
  // the meta record must not overlap the data it describes
  if (<u64><u32>meta < <u64><u32>ptr + <u64><u32>cap && <u64><u32>ptr < <u64><u32>meta + <u64>META_SIZE) return Err.EINVAL;
  return udpRecvFrom(h, <usize><u32>ptr, <u32>cap, <usize><u32>meta);
}

export function close(h: i32): i32 { return appOwned(h) ? udpClose(h) : Err.EBADF; }
export function localPort(h: i32): i32 { return appOwned(h) ? udpLocalPort(h) : Err.EBADF; }
export function pending(h: i32): i32 { return appOwned(h) ? udpPending(h) : Err.EBADF; }
