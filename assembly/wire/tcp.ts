// TCP header view (RFC 9293 3.1) and options (RFC 9293 3.2, RFC 7323, RFC 2018).
// tcpCheck() is the one length gate; after it every accessor is safe for the checked header.
import { get16, get32, put16, put32 } from "./bytes";
import { csumAdd, csumFinish, csumPseudo } from "./checksum";

@inline export const TCP_HDR_MIN: i32 = 20;
@inline export const TCP_HDR_MAX: i32 = 60;
@inline export const IPPROTO_TCP: u8 = 6;

// field offsets
@inline const OFF_SRC_PORT: usize = 0;
@inline const OFF_DST_PORT: usize = 2;
@inline const OFF_SEQ: usize = 4;
@inline const OFF_ACK: usize = 8;
@inline const OFF_DATA_OFF: usize = 12;
@inline const OFF_FLAGS: usize = 13;
@inline const OFF_WINDOW: usize = 14;
@inline const OFF_CHECKSUM: usize = 16;
@inline const OFF_URGENT: usize = 18;

export namespace Flag {
  @inline export const FIN: u32 = 0x01;
  @inline export const SYN: u32 = 0x02;
  @inline export const RST: u32 = 0x04;
  @inline export const PSH: u32 = 0x08;
  @inline export const ACK: u32 = 0x10;
  @inline export const URG: u32 = 0x20;
}

// option kinds
@inline export const OPT_EOL: u8 = 0;
@inline export const OPT_NOP: u8 = 1;
@inline export const OPT_MSS: u8 = 2;
@inline export const OPT_WS: u8 = 3;
@inline export const OPT_SACK_OK: u8 = 4;
@inline export const OPT_SACK: u8 = 5;
@inline export const OPT_TS: u8 = 8;
@inline export const SACK_BLOCKS_MAX: i32 = 4;

/** Returns the header length (data offset × 4), or -1 when the segment is malformed:
 *  shorter than 20 bytes, data offset < 5, or a header longer than the segment. */
export function tcpCheck(p: usize, len: i32): i32 {
  if (len < TCP_HDR_MIN) return -1;
  const hdr = <i32>(load<u8>(p + OFF_DATA_OFF) >> 4) << 2;
  if (hdr < TCP_HDR_MIN || hdr > len) return -1;
  return hdr;
}

// @ts-ignore: decorator
@inline export function tcpSrcPort(p: usize): u16 { return get16(p + OFF_SRC_PORT); }
// @ts-ignore: decorator
@inline export function tcpDstPort(p: usize): u16 { return get16(p + OFF_DST_PORT); }
// @ts-ignore: decorator
@inline export function tcpSeq(p: usize): u32 { return get32(p + OFF_SEQ); }
// @ts-ignore: decorator
@inline export function tcpAck(p: usize): u32 { return get32(p + OFF_ACK); }
// @ts-ignore: decorator
@inline export function tcpHdrLen(p: usize): i32 { return <i32>(load<u8>(p + OFF_DATA_OFF) >> 4) << 2; }
// @ts-ignore: decorator
@inline export function tcpFlags(p: usize): u32 { return <u32>load<u8>(p + OFF_FLAGS); }
// @ts-ignore: decorator
@inline export function tcpWindow(p: usize): u16 { return get16(p + OFF_WINDOW); }
// @ts-ignore: decorator
@inline export function tcpUrgent(p: usize): u16 { return get16(p + OFF_URGENT); }

/** True when the checksum over pseudo-header + segment verifies. */
export function tcpChecksumOk(p: usize, len: i32, src: u32, dst: u32): bool {
  return csumFinish(csumAdd(csumPseudo(src, dst, IPPROTO_TCP, <u32>len), p, len)) == 0;
}

/** Fill the checksum field of the `len`-byte segment at p. */
export function tcpFillChecksum(p: usize, len: i32, src: u32, dst: u32): void {
  put16(p + OFF_CHECKSUM, 0);
  put16(p + OFF_CHECKSUM, csumFinish(csumAdd(csumPseudo(src, dst, IPPROTO_TCP, <u32>len), p, len)));
}

/** Write a header with `optLen` bytes of options to follow (a multiple of 4). Checksum left 0. */
export function tcpEmit(p: usize, srcPort: u16, dstPort: u16, seq: u32, ack: u32, flags: u32,
                        window: u16, urgent: u16, optLen: i32): void {
  put16(p + OFF_SRC_PORT, srcPort);
  put16(p + OFF_DST_PORT, dstPort);
  put32(p + OFF_SEQ, seq);
  put32(p + OFF_ACK, ack);
  store<u8>(p + OFF_DATA_OFF, <u8>(((TCP_HDR_MIN + optLen) >> 2) << 4));
  store<u8>(p + OFF_FLAGS, <u8>flags);
  put16(p + OFF_WINDOW, window);
  put16(p + OFF_CHECKSUM, 0);
  put16(p + OFF_URGENT, urgent);
}

/** Write an MSS option (RFC 9293 3.2) at p; returns its length, 4. */
export function tcpEmitMss(p: usize, mss: u16): i32 {
  store<u8>(p, OPT_MSS);
  store<u8>(p + 1, 4);
  put16(p + 2, mss);
  return 4;
}

/** Options of the segment being parsed, validated by tcpParseOptions(): globals (one set, reused
 *  for every segment), so each read is one global.get where a field of a static record costs an
 *  address constant and a load. */
export namespace opts {
  export let mss: u32 = 0;          // 0 = absent
  export let wscale: i32 = -1;      // -1 = absent
  export let sackOk = false;
  export let hasTs = false;
  export let tsVal: u32 = 0;
  export let tsEcr: u32 = 0;
  export let sackCount: i32 = 0;    // blocks at sackBlock(0 .. sackCount-1)
}

/** The SACK blocks of the segment: left and right edge (u32 each), SACK_BLOCKS_MAX of them. */
const sackBlocks = memory.data(SACK_BLOCKS_MAX << 3);

/** Address of SACK block i's left edge (right edge at +4), for i < opts.sackCount. */
// @ts-ignore: decorator
@inline export function sackBlock(i: i32): usize { return sackBlocks + (<usize>i << 3); }

/** No options: what a header of 20 bytes gives. */
export function tcpOptionsClear(): void {
  opts.mss = 0; opts.wscale = -1; opts.sackOk = false; opts.hasTs = false; opts.sackCount = 0;
}

/** Parse the options of a checked header into `opts`. Unknown kinds are skipped by their length.
 *  Returns false (malformed) for a length byte < 2 or one that runs past the header, and for a
 *  known option with the wrong length. */
export function tcpParseOptions(p: usize, hdrLen: i32): bool {
  tcpOptionsClear();
  let i: i32 = TCP_HDR_MIN;
  while (i < hdrLen) {
    const kind = load<u8>(p + <usize>i);
    if (kind == OPT_EOL) break;
    if (kind == OPT_NOP) { i++; continue; }
    if (i + 1 >= hdrLen) return false;
    const olen = <i32>load<u8>(p + <usize>i + 1);
    if (olen < 2 || i + olen > hdrLen) return false;
    const v = p + <usize>i + 2;
    if (kind == OPT_MSS) {
      if (olen != 4) return false;
      opts.mss = get16(v);
    } else if (kind == OPT_WS) {
      if (olen != 3) return false;
      opts.wscale = <i32>load<u8>(v);
    } else if (kind == OPT_SACK_OK) {
      if (olen != 2) return false;
      opts.sackOk = true;
    } else if (kind == OPT_TS) {
      if (olen != 10) return false;
      opts.hasTs = true; opts.tsVal = get32(v); opts.tsEcr = get32(v + 4);
    } else if (kind == OPT_SACK) {
      const n = (olen - 2) >> 3;
      if (n < 1 || n > SACK_BLOCKS_MAX || (olen - 2) != n << 3) return false;
      for (let b = 0; b < n; b++) {
        const at = sackBlock(b);
        store<u32>(at, get32(v + (<usize>b << 3)));
        store<u32>(at + 4, get32(v + (<usize>b << 3) + 4));
      }
      opts.sackCount = n;
    }
    i += olen;
  }
  return true;
}
