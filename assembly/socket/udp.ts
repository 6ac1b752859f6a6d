// The ABI's UDP calls for the app (docs/abi.md, "UDP"): handle ownership and pointer/length checks
// in front of udp/socket.ts. No connect: a host keeps the peer itself (host/node/dgram.ts), which costs
// the module nothing; the core's own clients use udpConnect. The app may touch only the sockets it opened (UDP_OWNER_APP): the
// core's DHCP and DNS clients' sockets answer EBADF. Data and the meta record must lie in the IO
// buffer, as for tcp_send/tcp_recv.
import { Err } from "../errors";
import { ioRange } from "./io";
import { UDP_OWNER_APP, META_SIZE, udpOpen, udpOwner, udpBind, udpSendTo, udpRecvFrom,
         udpClose, udpLocalPort } from "../udp/socket";

function appOwned(h: i32): bool { return udpOwner(h) == <i32>UDP_OWNER_APP; }

export function open(): i32 { return udpOpen(UDP_OWNER_APP); }

/** udp_bind: the port bound (an ephemeral one for port 0), or -errno. */
export function bind(h: i32, port: i32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (<u32>port > 0xffff) return Err.EINVAL;
  const rc = udpBind(h, port);
  return rc < 0 ? rc : udpLocalPort(h);
}

export function sendTo(h: i32, ip: u32, port: i32, ptr: i32, len: i32, now: u32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (<u32>port > 0xffff || !ioRange(ptr, len)) return Err.EINVAL;
  return udpSendTo(h, ip, port, <usize><u32>ptr, <u32>len, now);
}

export function recvFrom(h: i32, ptr: i32, cap: i32, meta: i32): i32 {
  if (!appOwned(h)) return Err.EBADF;
  if (!ioRange(ptr, cap) || !ioRange(meta, META_SIZE)) return Err.EINVAL; // (meta is written after the data)
  return udpRecvFrom(h, <usize><u32>ptr, <u32>cap, <usize><u32>meta);
}

export function close(h: i32): i32 { return appOwned(h) ? udpClose(h) : Err.EBADF; }
