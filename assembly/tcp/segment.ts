// The segment being processed: one static record, filled by tcpParse() from a checked header.
import { TcpOptions, tcpCheck, tcpChecksumOk, tcpParseOptions, tcpSrcPort, tcpDstPort, tcpSeq, tcpAck,
         tcpFlags, tcpWindow, tcpUrgent, Flag } from "../wire/tcp";
import { C, count } from "../counters";

@unmanaged export class Seg {
  src: u32; dst: u32;          // IPv4 addresses
  sport: u32; dport: u32;
  seq: u32; ack: u32; flags: u32; wnd: u32; up: u32;
  data: usize; dataLen: i32;   // payload
  len: u32;                    // SEG.LEN: data + SYN + FIN (RFC 9293 3.4)
}

export const seg = changetype<Seg>(memory.data(offsetof<Seg>()));
export const opts = changetype<TcpOptions>(memory.data(offsetof<TcpOptions>()));

/** Validate the segment at p (header, checksum, options) into `seg`/`opts`. False = counted drop. */
export function tcpParse(src: u32, dst: u32, p: usize, len: i32): bool {
  const hdr = tcpCheck(p, len);
  if (hdr < 0) { count(C.DROP_TCP_MALFORMED); return false; }
  if (!tcpChecksumOk(p, len, src, dst)) { count(C.DROP_TCP_CHECKSUM); return false; }
  if (!tcpParseOptions(p, hdr, opts)) { count(C.DROP_TCP_MALFORMED); return false; }
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
