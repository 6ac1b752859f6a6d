// The segment being processed, filled by tcpParse() from a checked header: `seg` and its options
// `opts` (wire/tcp.ts), both globals.
import { opts, tcpOptionsClear, tcpCheck, tcpChecksumOk, tcpParseOptions, tcpSrcPort, tcpDstPort, tcpSeq, tcpAck,
         tcpFlags, tcpWindow, tcpUrgent, Flag } from "../wire/tcp";
import { C, count } from "../counters";

// The fields are globals (a namespace, not a record in memory): each read is one global.get, where
// a field of a static record costs an address constant and a load.
export namespace seg {
  export let src: u32 = 0; export let dst: u32 = 0;      // IPv4 addresses
  export let sport: u32 = 0; export let dport: u32 = 0;
  export let seq: u32 = 0; export let ack: u32 = 0; export let flags: u32 = 0; export let wnd: u32 = 0; export let up: u32 = 0;
  export let data: usize = 0; export let dataLen: i32 = 0;   // payload
  export let len: u32 = 0;                                  // SEG.LEN: data + SYN + FIN (RFC 9293 3.4)
}

/** Forget the last segment (unit tests: no test sees one a previous test left behind). */
export function segClear(): void {
  seg.src = 0; seg.dst = 0; seg.sport = 0; seg.dport = 0; seg.seq = 0; seg.ack = 0; seg.flags = 0;
  seg.wnd = 0; seg.up = 0; seg.data = 0; seg.dataLen = 0; seg.len = 0;
  tcpOptionsClear(); opts.tsVal = 0; opts.tsEcr = 0;
}

export { opts };

/** Validate the segment at p (header, checksum, options) into `seg`/`opts`. False = counted drop. */
export function tcpParse(src: u32, dst: u32, p: usize, len: i32): bool {
  const hdr = tcpCheck(p, len);
  if (hdr < 0) { count(C.DROP_TCP_MALFORMED); return false; }
  if (!tcpChecksumOk(p, len, src, dst)) { count(C.DROP_TCP_CHECKSUM); return false; }
  if (!tcpParseOptions(p, hdr)) { count(C.DROP_TCP_MALFORMED); return false; }
  seg.src = src; seg.dst = dst;
  seg.sport = tcpSrcPort(p); seg.dport = tcpDstPort(p);
  seg.seq = tcpSeq(p); seg.ack = tcpAck(p);
  seg.flags = tcpFlags(p); seg.wnd = tcpWindow(p); seg.up = tcpUrgent(p);
  seg.data = p + <usize>hdr; seg.dataLen = len - hdr;
  seg.len = <u32>seg.dataLen + ((seg.flags & Flag.SYN) ? 1 : 0) + ((seg.flags & Flag.FIN) ? 1 : 0);
  if (seg.sport == 0 || seg.dport == 0) { count(C.DROP_TCP_MALFORMED); return false; }
  count(C.TCP_RX);
  return true;
}

export function has(f: u32): bool { return (seg.flags & f) != 0; }
