// The ABI entry (docs/abi.md): the one module that ties the layers together. A frame goes
// rx → iface (Ethernet, ARP, IPv4, ICMP) → socket demux → tcp input; tcp output goes back down
// through iface to the host's tx import.
import { MAX_CONNS, MAX_LISTENERS, RX_BUF, TX_BUF, MTU, MSL_MS, ARP_ENTRIES, ARP_PENDING, EVENT_RING,
         IO_BUF, MAX_BACKLOG, FRAME_MAX, OOO_RANGES, SACK_RANGES, DELACK_MS, RTO_MIN_MS, RTO_INITIAL_MS,
         RTO_MAX_MS, UDP_SOCKETS, UDP_QUEUE, DHCP, DHCP_INIT_DELAY_MS, DNS_QUERIES, DNS_CACHE, Cfg } from "./config";
import { C, count, countersInit, counterGet } from "./counters";
import { Err } from "./errors";
import { Region, regionAlloc, layoutReset, layoutFits, layoutEnd, regionStart, regionSize } from "./storage/layout";
import { eventsInit, eventPop, eventHandle, eventArg } from "./storage/events";
import { ifaceIp } from "./iface/iface";
import { ifaceInit } from "./iface/init";
import { ifaceInput, rxSrcIp, rxDstIp, rxPayload, rxPayloadLen, icmpErrErrno, icmpErrDst, icmpErrMtu, icmpErrQuoted,
         icmpErrProto } from "./iface/input";
import { IPPROTO_ICMP, IPPROTO_TCP } from "./wire/ipv4";
import { IPPROTO_UDP } from "./wire/udp";
import { udpInit } from "./udp/socket";
import { udpRx, udpInputInit, udpIcmpRx } from "./udp/input";
import * as udp from "./socket/udp";
import * as dns from "./socket/dns";
import { dnsInit, dnsRx, dnsTcpRx, dnsPoll } from "./dns/resolver";
import { ifacePoll } from "./iface/output";
import { tcbPoolInit } from "./tcp/tcb";
import { tcpPoll } from "./tcp/timers";
import { isnInit } from "./tcp/isn";
import { listenersInit, listen } from "./socket/listeners";
import { tcpRx, tcpIcmp } from "./socket/demux";
import * as api from "./socket/api";
import { ioInit, ioRange, ioBuffer } from "./socket/io";
import { NO_DEADLINE, earliest } from "./time";
import { addressSet, learnedDns } from "./iface/address";
import { connectionsSettle } from "./socket/address";
import { dhcpInit, dhcpSetInitDelay, dhcpStart, dhcpStop, dhcpRelease, dhcpPoll, dhcpInput, dhcpInfo, dhcpState } from "./dhcp/client";
import { DhcpState } from "./dhcp/client";
import { tablesReady, tablesUp } from "./storage/handle";

// Before a successful init() every table is absent: the calls that name a handle answer EBADF
// (storage/handle.ts), and those without one are refused here while `tablesReady` is false.
let rxBuf: usize = 0;

export function abi_version(): i32 { return 1; }

export function init(macHi: u32, macLo: u32, ip: u32, prefixLen: i32, gateway: u32, seedLo: u32, seedHi: u32): i32 {
  if (tablesReady) return Err.EINVAL;
  layoutReset();
  countersInit();
  eventsInit();
  const io = regionAlloc(Region.IO, IO_BUF);
  rxBuf = regionAlloc(Region.RX_FRAME, FRAME_MAX);
  if (!layoutFits()) return Err.ENOMEM;
  const rc = ifaceInit(macHi, macLo, ip, prefixLen, gateway);
  if (rc < 0) return rc;
  listenersInit();
  tcbPoolInit();
  udpInit();
  if (DHCP) dhcpInit();
  if (DNS_QUERIES > 0) dnsInit();
  if (!layoutFits()) return Err.ENOMEM;
  isnInit(seedLo, seedHi);
  udpInputInit();
  ioInit(io, IO_BUF);
  api.apiInit();
  tablesUp();
  return 0;
}

export function rx_buffer(): usize { return rxBuf; }
export function rx_buffer_size(): i32 { return FRAME_MAX; }
export function io_buffer(): usize { return ioBuffer(); }
export function io_buffer_size(): i32 { return IO_BUF; }

export function rx(len: i32, now: u32): i32 {
  if (!tablesReady) return Err.EINVAL;
  count(C.RX_FRAMES);
  if (<u32>len > <u32>FRAME_MAX) { count(C.DROP_ETH_TOO_LONG); return Err.EMSGSIZE; }   // (a negative len too)
  const r = ifaceInput(rxBuf, len, now);
  if (r == IPPROTO_ICMP) {
    if (icmpErrProto() == IPPROTO_UDP) return udpIcmpRx();
    return tcpIcmp(icmpErrDst(), icmpErrQuoted(), icmpErrErrno(), icmpErrMtu(), now);
  }
  if (r == IPPROTO_UDP) {
    const u = udpRx(now);
    if (DHCP) { dhcpInput(now); connectionsSettle(); } // the client's socket may just have received a reply
    if (DNS_QUERIES > 0) dnsRx(now);  // so may the resolver's
    return u;
  }
  if (r != IPPROTO_TCP) return r;
  const t = tcpRx(rxSrcIp(), rxDstIp(), rxPayload(), rxPayloadLen(), now);
  if (DNS_QUERIES > 0) dnsTcpRx(now);  // the resolver's TCP answer may have arrived
  return t;
}

export function poll(now: u32): i32 {
  if (!tablesReady) return NO_DEADLINE;
  ifacePoll(now);                  // first, so that TCP's timers see the ARP state of `now`
  let next = tcpPoll(now);
  // then again for the deadline: TCP's output may just have started a resolution (nothing else is
  // due at `now`, so this sends nothing twice)
  if (DHCP) {
    next = sooner(next, dhcpPoll(now), now);
    connectionsSettle();
  }
  if (DNS_QUERIES > 0) next = sooner(next, dnsPoll(now), now);
  return sooner(next, ifacePoll(now), now);
}

/** The earlier of two "ms from now" deadlines (-1: none). */
function sooner(next: i32, d: i32, now: u32): i32 { return d < 0 ? next : earliest(next, now + <u32>d, now); }


// ── TCP calls ─────────────────────────────────────────────────────────────────────────────────
export function tcp_listen(port: i32, backlog: i32): i32 { return tablesReady ? listen(port, backlog) : Err.EINVAL; }
export function tcp_accept(lh: i32): i32 { return api.accept(lh); }
export function tcp_connect(ip: u32, port: i32, localPort: i32, now: u32): i32 { return tablesReady ? api.connect(ip, port, localPort, now) : Err.EINVAL; }
export function tcp_send(h: i32, ptr: i32, len: i32, now: u32): i32 { return api.send(h, ptr, len, now); }
export function tcp_recv(h: i32, ptr: i32, len: i32, now: u32): i32 { return api.recv(h, ptr, len, now); }
export function tcp_shutdown(h: i32, now: u32): i32 { return api.shutdown(h, now); }
export function tcp_close(h: i32, now: u32): i32 { return api.close(h, now); }
export function tcp_abort(h: i32, now: u32): i32 { return api.abort(h, now); }
export function tcp_state(h: i32): i32 { return api.state(h); }
export function tcp_error(h: i32): i32 { return api.error(h); }
export function tcp_info(h: i32, ptr: i32): i32 { return api.info(h, ptr); }
export function tcp_readable(h: i32): i32 { return api.readable(h); }
export function tcp_writable(h: i32): i32 { return api.writable(h); }
export function tcp_set_option(h: i32, opt: i32, value: i32): i32 { return api.setOption(h, opt, value); }
export function tcp_set_default(opt: i32, value: i32): i32 { return tablesReady ? api.setDefault(opt, value) : Err.EINVAL; }
export function tcp_connections(): i32 { return tablesReady ? api.connectionsInUse() : 0; }

// ── UDP calls (the app's sockets; docs/abi.md "UDP") ──────────────────────────────────────────
export function udp_open(): i32 { return tablesReady ? udp.open() : Err.EINVAL; }
export function udp_bind(h: i32, port: i32): i32 { return udp.bind(h, port); }
export function udp_sendto(h: i32, ip: u32, port: i32, ptr: i32, len: i32, now: u32): i32 { return udp.sendTo(h, ip, port, ptr, len, now); }
export function udp_recvfrom(h: i32, ptr: i32, cap: i32, meta: i32): i32 { return udp.recvFrom(h, ptr, cap, meta); }
export function udp_close(h: i32): i32 { return udp.close(h); }

// ── interface configuration and the DHCP client (docs/abi.md "Addresses and DHCP") ─────────────
/** Set address, prefix and gateway at run time (ip 0: none). Refused while DHCP runs (EBUSY-like
 *  EALREADY): the client owns the address then. */
export function iface_set(ip: u32, prefixLen: i32, gateway: u32): i32 {
  if (!tablesReady) return Err.EINVAL;
  if (DHCP && dhcpState() != DhcpState.STOPPED) return Err.EALREADY;
  const rc = addressSet(ip, prefixLen, gateway);
  connectionsSettle();
  return rc;
}
export function dhcp_start(requestedIp: u32, now: u32): i32 {
  if (!DHCP) return Err.EOPNOTSUPP;
  return tablesReady ? dhcpStart(requestedIp, now) : Err.EINVAL;
}
/** The longest random wait before the first DISCOVER of dhcp_start (RFC 2131 4.4.1), ms; 0 = none. */
export function dhcp_init_delay(ms: i32): i32 {
  if (!DHCP) return Err.EOPNOTSUPP;
  return tablesReady ? dhcpSetInitDelay(ms) : Err.EINVAL;
}
export function dhcp_stop(now: u32): i32 {
  if (!DHCP) return Err.EOPNOTSUPP;
  if (!tablesReady) return Err.EINVAL;
  const rc = dhcpStop(now);
  connectionsSettle();
  return rc;
}
export function dhcp_release(now: u32): i32 {
  if (!DHCP) return Err.EOPNOTSUPP;
  if (!tablesReady) return Err.EINVAL;
  const rc = dhcpRelease(now);
  connectionsSettle();
  return rc;
}
/** The client's state and lease into the 52-byte record at ptr (in the IO buffer). 0 or Err.EINVAL. */
export function dhcp_info(ptr: i32, now: u32): i32 {
  if (!DHCP) return Err.EOPNOTSUPP;
  if (!ioRange(ptr, 52)) return Err.EINVAL;           // (the IO buffer is empty before init)
  dhcpInfo(<usize>ptr, now);
  return 0;
}
/** The i-th DNS server of the lease (0 when none): what the resolver uses. */
export function dhcp_dns_server(i: i32): u32 { return DHCP ? learnedDns(i) : 0; }

// ── DNS resolver (docs/abi.md "DNS") ──────────────────────────────────────────────────────────
export function dns_server(i: i32, ip: u32): i32 { return tablesReady ? dns.setServer(i, ip) : Err.EINVAL; }
export function dns_server_get(i: i32): u32 { return tablesReady ? dns.server(i) : 0; }
export function dns_query(ptr: i32, len: i32, now: u32): i32 { return dns.query(ptr, len, now); }
export function dns_result(q: i32, ptr: i32, cap: i32): i32 { return dns.result(q, ptr, cap); }
export function dns_close(q: i32): i32 { return dns.close(q); }

// ── events, counters, memory map, configuration ───────────────────────────────────────────────
export function ev_pop(): i32 { return eventPop(); }
export function ev_handle(): i32 { return eventHandle(); }
export function ev_arg(): i32 { return eventArg(); }
export function counter_count(): i32 { return C.COUNT; }
export function counter(id: i32): u32 { return tablesReady ? counterGet(id) : 0; }
export function mem_region_count(): i32 { return Region.COUNT; }
export function mem_region_start(id: i32): u32 { return regionStart(id); }
export function mem_region_size(id: i32): u32 { return regionSize(id); }
export function mem_end(): u32 { return <u32>layoutEnd(); }
export function mem_pages(): i32 { return memory.size(); }
export function local_ip(): u32 { return ifaceIp(); }

/** config(id)'s values, in the order of the Cfg ids (config.ts). */
const CONFIG_VALUES = memory.data<i32>([
  MAX_CONNS, MAX_LISTENERS, RX_BUF, TX_BUF, MTU, <i32>MSL_MS, ARP_ENTRIES, ARP_PENDING, EVENT_RING, IO_BUF,
  MAX_BACKLOG, OOO_RANGES, SACK_RANGES, <i32>DELACK_MS, <i32>RTO_MIN_MS, <i32>RTO_INITIAL_MS, <i32>RTO_MAX_MS,
  UDP_SOCKETS, UDP_QUEUE, DNS_QUERIES, DNS_CACHE, <i32>DHCP_INIT_DELAY_MS,
]);

export function config(id: i32): i32 {
  return <u32>id < <u32>Cfg.COUNT ? load<i32>(CONFIG_VALUES + (<usize>id << 2)) : Err.EINVAL;
}
