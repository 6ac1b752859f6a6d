import {
  Flag, IPPROTO_TCP, OPT_EOL, OPT_MSS, OPT_NOP, OPT_SACK, OPT_SACK_OK, OPT_TS, OPT_WS, SACK_BLOCKS_MAX,
  TCP_HDR_MAX, TCP_HDR_MIN, opts, sackBlock, tcpAck, tcpCheck, tcpChecksumOk, tcpDstPort, tcpEmit,
  tcpEmitMss, tcpFillChecksum, tcpFlags, tcpHdrLen, tcpParseOptions, tcpSeq, tcpSrcPort, tcpUrgent, tcpWindow,
} from "../../../assembly/wire/tcp";
import { csumAdd, csumFinish, csumPseudo } from "../../../assembly/wire/checksum";
import { get16 } from "../../../assembly/wire/bytes";
import { put, same, scratch } from "../helpers";

// A SYN as Linux sends it (tcp_connect: MSS, SACK-permitted, TS, NOP, WS), 40-byte header:
//   10.0.0.1:54321 → 192.168.1.2:80, seq 0x9c3a1f5b, ack 0, data offset 10, flags SYN,
//   window 64240, checksum 0x6cae, urgent 0,
//   options 02 04 05b4 (MSS 1460) | 04 02 (SACK-permitted) | 08 0a 001e8480 00000000 (TS val 2000000,
//   ecr 0) | 01 (NOP) | 03 03 07 (WS 7).
// Checksum by hand (RFC 9293 3.1 pseudo-header + segment, 16-bit big-endian words):
//   pseudo: 0a00 + 0001 + c0a8 + 0102 + 0006 + 0028                                    = 0x0cc31
//   header: d431 + 0050 + 9c3a + 1f5b + 0000 + 0000 + a002 + faf0 + 0000 + 0000          = 0x3ea1a
//   options: 0204 + 05b4 + 0402 + 080a + 001e + 8480 + 0000 + 0000 + 0103 + 0307        = 0x0a302
//   total 0x4934d → fold 0x9351 → complement 0x6cae.
// (Cross-checked with an independent Python implementation run when this test was written.)
const SYN_SRC: u32 = 0x0a000001;  // 10.0.0.1
const SYN_DST: u32 = 0xc0a80102;  // 192.168.1.2
const SYN_LEN: i32 = 40;
function linuxSyn(p: usize): void {
  put(p, [0xd4, 0x31, 0x00, 0x50, 0x9c, 0x3a, 0x1f, 0x5b, 0x00, 0x00, 0x00, 0x00,
          0xa0, 0x02, 0xfa, 0xf0, 0x6c, 0xae, 0x00, 0x00,
          0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x1e, 0x84, 0x80,
          0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07]);
}

// The reply direction with 5 bytes of payload ("hello": odd segment length, so the last byte is
// padded with zero in the sum): 192.168.1.2:80 → 10.0.0.1:54321, seq 0x12345678, ack 0x9c3a1f5c,
// data offset 5, PSH|ACK, window 256.
//   pseudo: c0a8 + 0102 + 0a00 + 0001 + 0006 + 0019 = 0x0cc22
//   header: 0050 + d431 + 1234 + 5678 + 9c3a + 1f5c + 5018 + 0100 + 0000 + 0000 = 0x2ab23
//   data:   6865 + 6c6c + 6f00 = 0x14431
//   total 0x45976 → fold 0x597a → complement 0xa685.
const ACK_LEN: i32 = 25;
function dataAck(p: usize): void {
  put(p, [0x00, 0x50, 0xd4, 0x31, 0x12, 0x34, 0x56, 0x78, 0x9c, 0x3a, 0x1f, 0x5c,
          0x50, 0x18, 0x01, 0x00, 0xa6, 0x85, 0x00, 0x00,
          0x68, 0x65, 0x6c, 0x6c, 0x6f]);
}

/** The options globals and SACK blocks set to 0xA5 garbage, so defaults must be written. */
function garbleOpts(): void {
  opts.mss = 0xa5a5a5a5; opts.wscale = <i32>0xa5a5a5a5; opts.sackOk = true; opts.hasTs = true;
  opts.tsVal = 0xa5a5a5a5; opts.tsEcr = 0xa5a5a5a5; opts.sackCount = <i32>0xa5a5a5a5;
  memory.fill(sackBlock(0), 0xa5, SACK_BLOCKS_MAX << 3);
}

/** The parsed options say: MSS `mss` (0: none) and nothing else (no window scale, SACK or timestamps). */
function expectOnlyMss(mss: u32): void {
  expect(opts.mss).toBe(mss);
  expect(opts.wscale).toBe(-1);
  expect(opts.sackOk).toBe(false);
  expect(opts.hasTs).toBe(false);
  expect(opts.sackCount).toBe(0);
}

/** A header of data offset hdrLen/4 whose options area (bytes 20..hdrLen) is `o` then zeros (EOL). */
function withOptions(o: u8[], hdrLen: i32 = 60): usize {
  const p = scratch(64);
  tcpEmit(p, 1234, 80, 1, 0, Flag.SYN, 1000, 0, hdrLen - 20);
  put(p + 20, o);
  return p;
}

function parse(o: u8[], hdrLen: i32): bool {
  return tcpParseOptions(withOptions(o, hdrLen), hdrLen);
}

describe("tcp header (RFC 9293 3.1)", () => {
  it("RFC 9293 3.1: a valid 20-byte header checks to 20", () => {
    const p = scratch(20);
    tcpEmit(p, 1, 2, 3, 4, Flag.ACK, 5, 0, 0);
    expect(tcpCheck(p, 20)).toBe(20);
    expect(tcpCheck(p, 1500)).toBe(20);
  });
  it("RFC 9293 3.1: shorter than 20 bytes is malformed", () => {
    const p = scratch(20);
    tcpEmit(p, 1, 2, 3, 4, Flag.ACK, 5, 0, 0);
    expect(tcpCheck(p, 19)).toBe(-1);
    expect(tcpCheck(p, 0)).toBe(-1);
    expect(tcpCheck(p, -1)).toBe(-1);
  });
  it("RFC 9293 3.1: data offset < 5 is malformed (0..4)", () => {
    const p = scratch(60);
    tcpEmit(p, 1, 2, 3, 4, Flag.ACK, 5, 0, 0);
    for (let d = 0; d < 5; d++) {
      store<u8>(p + 12, <u8>(d << 4));
      expect(tcpCheck(p, 60)).toBe(-1);
    }
    store<u8>(p + 12, 0x50);
    expect(tcpCheck(p, 60)).toBe(20);
  });
  it("RFC 9293 3.1: data offset × 4 past the segment is malformed", () => {
    const p = scratch(60);
    linuxSyn(p);                                 // data offset 10 → 40 bytes
    expect(tcpCheck(p, 40)).toBe(40);
    expect(tcpCheck(p, 39)).toBe(-1);
    expect(tcpCheck(p, 20)).toBe(-1);
    store<u8>(p + 12, 0x60);                      // 24 bytes
    expect(tcpCheck(p, 23)).toBe(-1);
    expect(tcpCheck(p, 24)).toBe(24);
  });
  it("RFC 9293 3.1: the maximum header, data offset 15 = 60 bytes", () => {
    const p = scratch(64);
    tcpEmit(p, 1, 2, 3, 4, Flag.ACK, 5, 0, 40);
    expect(load<u8>(p + 12)).toBe(<u8>0xf0);
    expect(tcpCheck(p, 60)).toBe(TCP_HDR_MAX);
    expect(tcpCheck(p, 64)).toBe(60);
    expect(tcpCheck(p, 59)).toBe(-1);
    expect(tcpHdrLen(p)).toBe(60);
  });
  it("RFC 9293 3.1: the reserved low nibble of byte 12 does not change the header length", () => {
    const p = scratch(40);
    linuxSyn(p);
    store<u8>(p + 12, 0xaf);                      // data offset 10, reserved/NS bits set
    expect(tcpCheck(p, 40)).toBe(40);
    expect(tcpHdrLen(p)).toBe(40);
  });

  it("RFC 9293 3.1: every accessor on a Linux SYN (MSS, SACK-permitted, TS, NOP, WS)", () => {
    const p = scratch(SYN_LEN, 0xa5);
    linuxSyn(p);
    expect(tcpCheck(p, SYN_LEN)).toBe(40);
    expect(tcpSrcPort(p)).toBe(<u16>54321);
    expect(tcpDstPort(p)).toBe(<u16>80);
    expect(tcpSeq(p)).toBe(0x9c3a1f5b);
    expect(tcpAck(p)).toBe(0);
    expect(tcpHdrLen(p)).toBe(40);
    expect(tcpFlags(p)).toBe(Flag.SYN);
    expect(tcpFlags(p) & Flag.ACK).toBe(0);
    expect(tcpWindow(p)).toBe(<u16>64240);
    expect(tcpUrgent(p)).toBe(<u16>0);
    expect(get16(p + 16)).toBe(<u16>0x6cae);
  });
  it("RFC 9293 3.2: options of the Linux SYN parse to MSS 1460, SACK-permitted, TS 2000000/0, WS 7", () => {
    const p = scratch(SYN_LEN);
    linuxSyn(p);
    garbleOpts();
    expect(tcpParseOptions(p, tcpCheck(p, SYN_LEN))).toBe(true);
    expect(opts.mss).toBe(1460);
    expect(opts.sackOk).toBe(true);
    expect(opts.hasTs).toBe(true);
    expect(opts.tsVal).toBe(2000000);
    expect(opts.tsEcr).toBe(0);
    expect(opts.wscale).toBe(7);
    expect(opts.sackCount).toBe(0);
  });
  it("RFC 9293 3.1: accessors on a PSH|ACK data segment", () => {
    const p = scratch(ACK_LEN);
    dataAck(p);
    expect(tcpCheck(p, ACK_LEN)).toBe(20);
    expect(tcpSrcPort(p)).toBe(<u16>80);
    expect(tcpDstPort(p)).toBe(<u16>54321);
    expect(tcpSeq(p)).toBe(0x12345678);
    expect(tcpAck(p)).toBe(0x9c3a1f5c);
    expect(tcpFlags(p)).toBe(Flag.PSH | Flag.ACK);
    expect(tcpWindow(p)).toBe(<u16>256);
    garbleOpts();
    expect(tcpParseOptions(p, 20)).toBe(true);
    expectOnlyMss(0);
  });
  it("RFC 9293 3.1: flag bits are the low 6 bits of byte 13 (FIN 01 … URG 20)", () => {
    const p = scratch(20);
    tcpEmit(p, 1, 2, 0, 0, 0, 0, 0, 0);
    expect(Flag.FIN).toBe(0x01); expect(Flag.SYN).toBe(0x02); expect(Flag.RST).toBe(0x04);
    expect(Flag.PSH).toBe(0x08); expect(Flag.ACK).toBe(0x10); expect(Flag.URG).toBe(0x20);
    store<u8>(p + 13, 0x3f);
    expect(tcpFlags(p)).toBe(Flag.FIN | Flag.SYN | Flag.RST | Flag.PSH | Flag.ACK | Flag.URG);
    store<u8>(p + 13, 0xd1);                     // CWR|ECE|ACK|FIN: the byte is returned whole
    expect(tcpFlags(p)).toBe(0xd1);
  });
});

describe("tcp checksum (RFC 9293 3.1)", () => {
  it("RFC 9293 3.1: the Linux SYN verifies with its pseudo-header (checksum 0x6cae)", () => {
    const p = scratch(SYN_LEN);
    linuxSyn(p);
    expect(tcpChecksumOk(p, SYN_LEN, SYN_SRC, SYN_DST)).toBe(true);
  });
  it("RFC 9293 3.1: tcpFillChecksum reproduces 0x6cae from a zero or garbage field", () => {
    const p = scratch(SYN_LEN);
    linuxSyn(p);
    store<u16>(p + 16, 0);
    tcpFillChecksum(p, SYN_LEN, SYN_SRC, SYN_DST);
    expect(same(p + 16, [0x6c, 0xae])).toBe(true);
    store<u16>(p + 16, 0xa5a5);
    tcpFillChecksum(p, SYN_LEN, SYN_SRC, SYN_DST);
    expect(get16(p + 16)).toBe(<u16>0x6cae);
    // the rest of the segment is untouched
    const q = scratch(SYN_LEN);
    linuxSyn(q);
    for (let i = 0; i < SYN_LEN; i++) expect(load<u8>(p + <usize>i)).toBe(load<u8>(q + <usize>i));
  });
  it("RFC 9293 3.1: the pseudo-header takes part: swapped, wrong address or wrong length fails", () => {
    const p = scratch(SYN_LEN);
    linuxSyn(p);
    expect(tcpChecksumOk(p, SYN_LEN, SYN_DST, SYN_SRC)).toBe(true);    // sum is commutative
    expect(tcpChecksumOk(p, SYN_LEN, SYN_SRC + 1, SYN_DST)).toBe(false);
    expect(tcpChecksumOk(p, SYN_LEN, SYN_SRC, 0xc0a80103)).toBe(false);
    expect(tcpChecksumOk(p, SYN_LEN - 4, SYN_SRC, SYN_DST)).toBe(false);
  });
  it("RFC 9293 3.1: any single flipped bit in the segment is detected", () => {
    const p = scratch(SYN_LEN);
    linuxSyn(p);
    for (let i = 0; i < SYN_LEN; i++) {
      for (let b = 0; b < 8; b++) {
        const at = p + <usize>i;
        store<u8>(at, <u8>(<i32>load<u8>(at) ^ (1 << b)));
        expect(tcpChecksumOk(p, SYN_LEN, SYN_SRC, SYN_DST)).toBe(false);
        store<u8>(at, <u8>(<i32>load<u8>(at) ^ (1 << b)));
      }
    }
    expect(tcpChecksumOk(p, SYN_LEN, SYN_SRC, SYN_DST)).toBe(true);
  });
  it("RFC 9293 3.1: odd-length segment (5 data bytes) pads with zero: checksum 0xa685", () => {
    const p = scratch(ACK_LEN + 1, 0xa5);        // a 0xA5 byte after the segment must not be summed
    dataAck(p);
    expect(tcpChecksumOk(p, ACK_LEN, SYN_DST, SYN_SRC)).toBe(true);
    store<u16>(p + 16, 0);
    tcpFillChecksum(p, ACK_LEN, SYN_DST, SYN_SRC);
    expect(get16(p + 16)).toBe(<u16>0xa685);
    expect(load<u8>(p + ACK_LEN)).toBe(<u8>0xa5);
  });
  it("RFC 9293 3.1: fill then verify agrees with csumPseudo + csumAdd", () => {
    const p = scratch(SYN_LEN);
    linuxSyn(p);
    store<u16>(p + 16, 0);
    const expected = csumFinish(csumAdd(csumPseudo(SYN_SRC, SYN_DST, IPPROTO_TCP, SYN_LEN), p, SYN_LEN));
    expect(expected).toBe(<u16>0x6cae);
    tcpFillChecksum(p, SYN_LEN, SYN_SRC, SYN_DST);
    expect(tcpChecksumOk(p, SYN_LEN, SYN_SRC, SYN_DST)).toBe(true);
  });
});

describe("tcp emit (RFC 9293 3.1)", () => {
  it("emit into a 0xA5-filled buffer: every byte as expected, parses back", () => {
    const p = scratch(64, 0xa5);
    tcpEmit(p, 0xc000, 0x0016, 0xdeadbeef, 0x01020304, Flag.SYN | Flag.ACK, 0x7210, 0x0102, 0);
    expect(same(p, [0xc0, 0x00, 0x00, 0x16, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
                    0x50, 0x12, 0x72, 0x10, 0x00, 0x00, 0x01, 0x02])).toBe(true);
    expect(load<u8>(p + 20)).toBe(<u8>0xa5);    // nothing written past the header
    expect(load<u8>(p + 63)).toBe(<u8>0xa5);
    expect(tcpCheck(p, 20)).toBe(20);
    expect(tcpSrcPort(p)).toBe(<u16>0xc000);
    expect(tcpDstPort(p)).toBe(<u16>22);
    expect(tcpSeq(p)).toBe(0xdeadbeef);
    expect(tcpAck(p)).toBe(0x01020304);
    expect(tcpHdrLen(p)).toBe(20);
    expect(tcpFlags(p)).toBe(Flag.SYN | Flag.ACK);
    expect(tcpWindow(p)).toBe(<u16>0x7210);
    expect(tcpUrgent(p)).toBe(<u16>0x0102);
    expect(get16(p + 16)).toBe(<u16>0);
  });
  it("emit with 4 bytes of options + MSS option: data offset 6, MSS bytes 02 04 05 b4", () => {
    const p = scratch(64, 0xa5);
    tcpEmit(p, 80, 54321, 0x9c3a1f5b, 0x12345678, Flag.SYN | Flag.ACK, 65535, 0, 4);
    expect(tcpEmitMss(p + 20, 1460)).toBe(4);
    expect(load<u8>(p + 12)).toBe(<u8>0x60);
    expect(same(p + 20, [0x02, 0x04, 0x05, 0xb4])).toBe(true);
    expect(load<u8>(p + 24)).toBe(<u8>0xa5);
    expect(tcpCheck(p, 24)).toBe(24);
    garbleOpts();
    expect(tcpParseOptions(p, 24)).toBe(true);
    expectOnlyMss(1460);
    tcpFillChecksum(p, 24, SYN_DST, SYN_SRC);
    expect(tcpChecksumOk(p, 24, SYN_DST, SYN_SRC)).toBe(true);
  });
  it("RFC 9293 3.2: tcpEmitMss writes exactly kind 2, length 4, MSS big-endian", () => {
    const p = scratch(8, 0xa5);
    expect(tcpEmitMss(p + 2, 0x1234)).toBe(4);
    expect(same(p, [0xa5, 0xa5, 0x02, 0x04, 0x12, 0x34, 0xa5, 0xa5])).toBe(true);
    expect(tcpEmitMss(p + 2, 536)).toBe(4);
    expect(same(p + 2, [0x02, 0x04, 0x02, 0x18])).toBe(true);
    expect(tcpEmitMss(p + 2, 0xffff)).toBe(4);
    expect(same(p + 2, [0x02, 0x04, 0xff, 0xff])).toBe(true);
  });
  it("emit with 40 bytes of options: data offset 15", () => {
    const p = scratch(64, 0xa5);
    tcpEmit(p, 1, 2, 3, 4, Flag.ACK, 5, 0, 40);
    expect(load<u8>(p + 12)).toBe(<u8>0xf0);
    expect(load<u8>(p + 20)).toBe(<u8>0xa5);
    expect(tcpCheck(p, 60)).toBe(60);
  });
  it("emit overwrites a previous header completely (checksum and urgent zeroed)", () => {
    const p = scratch(40);
    linuxSyn(p);
    tcpEmit(p, 7, 8, 9, 10, Flag.RST, 0, 0, 0);
    expect(same(p, [0, 7, 0, 8, 0, 0, 0, 9, 0, 0, 0, 10, 0x50, 0x04, 0, 0, 0, 0, 0, 0])).toBe(true);
  });
});

describe("tcp options (RFC 9293 3.2, RFC 7323, RFC 2018)", () => {
  it("option kind numbers are the IANA ones", () => {
    expect(OPT_EOL).toBe(<u8>0); expect(OPT_NOP).toBe(<u8>1); expect(OPT_MSS).toBe(<u8>2);
    expect(OPT_WS).toBe(<u8>3); expect(OPT_SACK_OK).toBe(<u8>4); expect(OPT_SACK).toBe(<u8>5);
    expect(OPT_TS).toBe(<u8>8); expect(SACK_BLOCKS_MAX).toBe(4);
    expect(TCP_HDR_MIN).toBe(20); expect(TCP_HDR_MAX).toBe(60);
  });
  it("RFC 9293 3.2: no options (header 20) gives all defaults over a 0xA5 record", () => {
    garbleOpts();
    expect(parse([], 20)).toBe(true);
    expectOnlyMss(0);
  });
  it("RFC 9293 3.2: EOL stops parsing (garbage after it is ignored)", () => {
    garbleOpts();
    // EOL, then a would-be MSS and a malformed length-0 option: neither is looked at
    expect(parse([0x00, 0x02, 0x04, 0x05, 0xb4, 0x08, 0x00, 0x00], 28)).toBe(true);
    expect(opts.mss).toBe(0);
    // MSS, EOL, then a would-be WS: MSS kept, WS absent
    expect(parse([0x02, 0x04, 0x05, 0xb4, 0x00, 0x03, 0x03, 0x07], 28)).toBe(true);
    expect(opts.mss).toBe(1460);
    expect(opts.wscale).toBe(-1);
  });
  it("RFC 9293 3.2: NOPs are skipped, also a header full of NOPs", () => {
    garbleOpts();
    expect(parse([0x01, 0x01, 0x01, 0x03, 0x03, 0x0e], 28)).toBe(true);   // NOP NOP NOP WS 14, EOL pad
    expect(opts.wscale).toBe(14);
    const nops: u8[] = [];
    for (let i = 0; i < 40; i++) nops.push(0x01);
    expect(parse(nops, 60)).toBe(true);
    expect(opts.mss).toBe(0);
    expect(opts.wscale).toBe(-1);
  });
  it("RFC 9293 3.2: MSS (kind 2, length 4)", () => {
    garbleOpts();
    expect(parse([0x02, 0x04, 0x02, 0x18], 24)).toBe(true);
    expect(opts.mss).toBe(536);
    expect(parse([0x02, 0x04, 0xff, 0xff], 24)).toBe(true);
    expect(opts.mss).toBe(65535);
  });
  it("RFC 7323 2.2: window scale (kind 3, length 3), shift 0 is present (not -1)", () => {
    garbleOpts();
    expect(parse([0x03, 0x03, 0x00, 0x01], 24)).toBe(true);
    expect(opts.wscale).toBe(0);
    expect(parse([0x01, 0x03, 0x03, 0x07], 24)).toBe(true);
    expect(opts.wscale).toBe(7);
  });
  it("RFC 2018 2: SACK-permitted (kind 4, length 2)", () => {
    garbleOpts();
    expect(parse([0x04, 0x02, 0x01, 0x01], 24)).toBe(true);
    expect(opts.sackOk).toBe(true);
    expect(opts.sackCount).toBe(0);
  });
  it("RFC 7323 3.2: timestamps (kind 8, length 10): TSval and TSecr big-endian", () => {
    garbleOpts();
    expect(parse([0x01, 0x01, 0x08, 0x0a, 0x01, 0x02, 0x03, 0x04, 0xfe, 0xdc, 0xba, 0x98], 32)).toBe(true);
    expect(opts.hasTs).toBe(true);
    expect(opts.tsVal).toBe(0x01020304);
    expect(opts.tsEcr).toBe(0xfedcba98);
  });
  it("RFC 2018 3: SACK with 1 block", () => {
    garbleOpts();
    expect(parse([0x01, 0x01, 0x05, 0x0a, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00], 32)).toBe(true);
    expect(opts.sackCount).toBe(1);
    expect(load<u32>(sackBlock(0))).toBe(0x1000);
    expect(load<u32>(sackBlock(0) + 4)).toBe(0x2000);
    expect(load<u32>(sackBlock(0))).toBe(0x1000);
    expect(load<u32>(sackBlock(0) + 4)).toBe(0x2000);
  });
  it("RFC 2018 3: SACK with 2, 3 and 4 blocks", () => {
    garbleOpts();
    const bytes: u8[] = [0x01, 0x01, 0x05, 0];
    for (let b = 0; b < 4; b++) {
      // block b: left 0xb0b00000 + b*0x100, right = left + 0x80, big-endian
      const l: u32 = 0xb0b00000 + <u32>b * 0x100;
      const r: u32 = l + 0x80;
      bytes.push(<u8>(l >> 24)); bytes.push(<u8>(l >> 16)); bytes.push(<u8>(l >> 8)); bytes.push(<u8>l);
      bytes.push(<u8>(r >> 24)); bytes.push(<u8>(r >> 16)); bytes.push(<u8>(r >> 8)); bytes.push(<u8>r);
    }
    for (let n = 2; n <= 4; n++) {
      bytes[3] = <u8>(2 + 8 * n);
      const hdr = 20 + ((4 + 8 * n + 3) & ~3);
      expect(parse(bytes.slice(0, 4 + 8 * n), hdr)).toBe(true);
      expect(opts.sackCount).toBe(n);
      for (let b = 0; b < n; b++) {
        const l: u32 = 0xb0b00000 + <u32>b * 0x100;
        expect(load<u32>(sackBlock(b))).toBe(l);
        expect(load<u32>(sackBlock(b) + 4)).toBe(l + 0x80);
      }
    }
    // 4 blocks named
    expect(load<u32>(sackBlock(0))).toBe(0xb0b00000); expect(load<u32>(sackBlock(0) + 4)).toBe(0xb0b00080);
    expect(load<u32>(sackBlock(1))).toBe(0xb0b00100); expect(load<u32>(sackBlock(1) + 4)).toBe(0xb0b00180);
    expect(load<u32>(sackBlock(2))).toBe(0xb0b00200); expect(load<u32>(sackBlock(2) + 4)).toBe(0xb0b00280);
    expect(load<u32>(sackBlock(3))).toBe(0xb0b00300); expect(load<u32>(sackBlock(3) + 4)).toBe(0xb0b00380);
  });
  it("RFC 2018 3: SACK with 3 blocks alongside timestamps (a full 60-byte header)", () => {
    garbleOpts();
    expect(parse([0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2,
                  0x01, 0x01, 0x05, 0x1a,
                  0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40, 0, 0, 0, 50, 0, 0, 0, 60], 60)).toBe(true);
    expect(opts.hasTs).toBe(true);
    expect(opts.tsVal).toBe(1); expect(opts.tsEcr).toBe(2);
    expect(opts.sackCount).toBe(3);
    expect(load<u32>(sackBlock(0))).toBe(10); expect(load<u32>(sackBlock(0) + 4)).toBe(20);
    expect(load<u32>(sackBlock(1))).toBe(30); expect(load<u32>(sackBlock(1) + 4)).toBe(40);
    expect(load<u32>(sackBlock(2))).toBe(50); expect(load<u32>(sackBlock(2) + 4)).toBe(60);
  });
  it("RFC 9293 3.2: an unknown kind is skipped by its length", () => {
    garbleOpts();
    // kind 30 (MPTCP) length 6 with bytes that look like options, then MSS
    expect(parse([0x1e, 0x06, 0x02, 0x04, 0x00, 0x01, 0x02, 0x04, 0x05, 0xb4], 32)).toBe(true);
    expect(opts.mss).toBe(1460);
    // kind 254 (experimental) of length 2, then WS 3
    expect(parse([0xfe, 0x02, 0x03, 0x03, 0x03, 0x00], 28)).toBe(true);
    expect(opts.wscale).toBe(3);
    // unknown kind exactly filling the rest of the header
    expect(parse([0x02, 0x04, 0x02, 0x00, 0x13, 0x04, 0xaa, 0xbb], 28)).toBe(true);
    expect(opts.mss).toBe(512);
  });

  it("RFC 9293 3.2: option length 0 is rejected", () => {
    garbleOpts();
    expect(parse([0x1e, 0x00, 0x00, 0x00], 24)).toBe(false);
    expect(parse([0x02, 0x00, 0x05, 0xb4], 24)).toBe(false);
  });
  it("RFC 9293 3.2: option length 1 is rejected", () => {
    garbleOpts();
    expect(parse([0x1e, 0x01, 0x00, 0x00], 24)).toBe(false);
    expect(parse([0x04, 0x01, 0x01, 0x01], 24)).toBe(false);
  });
  it("RFC 9293 3.2: option length running past the header is rejected", () => {
    garbleOpts();
    // MSS at bytes 22..25 of a 24-byte header
    expect(parse([0x01, 0x01, 0x02, 0x04, 0x05, 0xb4], 24)).toBe(false);
    // unknown kind, length 5 in a 4-byte option area
    expect(parse([0x1e, 0x05, 0x00, 0x00, 0x00], 24)).toBe(false);
    // length 255
    expect(parse([0x1e, 0xff], 60)).toBe(false);
    // TS (10 bytes) starting at byte 52 of a 60-byte header
    const a: u8[] = [];
    for (let i = 0; i < 32; i++) a.push(0x01);
    a.push(0x08); a.push(0x0a);
    expect(parse(a, 60)).toBe(false);
    // exactly reaching the end is fine
    a[30] = 0x08; a[31] = 0x0a; a[32] = 0; a[33] = 0;
    for (let i = 0; i < 6; i++) a.push(0);
    expect(parse(a, 60)).toBe(true);
    expect(opts.hasTs).toBe(true);
  });
  it("RFC 9293 3.2: a kind byte at the last header byte (no length byte) is rejected", () => {
    garbleOpts();
    expect(parse([0x01, 0x01, 0x01, 0x02], 24)).toBe(false);
    expect(parse([0x01, 0x01, 0x01, 0x1e], 24)).toBe(false);
    // …but a final NOP or EOL there is fine
    expect(parse([0x01, 0x01, 0x01, 0x01], 24)).toBe(true);
    expect(parse([0x01, 0x01, 0x01, 0x00], 24)).toBe(true);
  });
  it("RFC 9293 3.2: MSS with length ≠ 4 is rejected", () => {
    garbleOpts();
    expect(parse([0x02, 0x02, 0x01, 0x01], 24)).toBe(false);
    expect(parse([0x02, 0x03, 0x05, 0x01], 24)).toBe(false);
    expect(parse([0x02, 0x05, 0x05, 0xb4, 0x00, 0x01, 0x01, 0x01], 28)).toBe(false);
    expect(parse([0x02, 0x06, 0x05, 0xb4, 0x00, 0x00, 0x01, 0x01], 28)).toBe(false);
  });
  it("RFC 7323 2.2: window scale with length ≠ 3 is rejected", () => {
    garbleOpts();
    expect(parse([0x03, 0x02, 0x01, 0x01], 24)).toBe(false);
    expect(parse([0x03, 0x04, 0x07, 0x00], 24)).toBe(false);
  });
  it("RFC 7323 3.2: timestamps with length ≠ 10 are rejected", () => {
    garbleOpts();
    expect(parse([0x08, 0x08, 0, 0, 0, 1, 0, 0], 28)).toBe(false);
    expect(parse([0x08, 0x09, 0, 0, 0, 1, 0, 0, 0, 0x01, 0x01, 0x01], 32)).toBe(false);
    expect(parse([0x08, 0x0b, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0x01], 32)).toBe(false);
    expect(parse([0x08, 0x02, 0x01, 0x01], 24)).toBe(false);
  });
  it("RFC 2018 2: SACK-permitted with length ≠ 2 is rejected", () => {
    garbleOpts();
    expect(parse([0x04, 0x03, 0x00, 0x01], 24)).toBe(false);
    expect(parse([0x04, 0x04, 0x00, 0x00], 24)).toBe(false);
  });
  it("RFC 2018 3: SACK with a length that is not 2 + 8n is rejected", () => {
    garbleOpts();
    expect(parse([0x05, 0x02, 0x01, 0x01], 24)).toBe(false);          // n = 0
    const z: u8[] = [];
    for (let i = 0; i < 40; i++) z.push(0);
    const lens: i32[] = [3, 9, 11, 17, 19, 25, 33, 41];
    for (let k = 0; k < lens.length; k++) {
      z[0] = 0x05; z[1] = <u8>lens[k];
      expect(parse(z, 60)).toBe(false);
    }
  });
  it("RFC 2018 3: SACK with more than 4 blocks (length 42) is rejected; 4 blocks (34) is the most", () => {
    garbleOpts();
    const z: u8[] = [0x01, 0x01, 0x05, 34];
    for (let i = 0; i < 32; i++) z.push(<u8>i);   // then 4 bytes of EOL padding
    expect(parse(z, 60)).toBe(true);
    expect(opts.sackCount).toBe(4);
    expect(load<u32>(sackBlock(0))).toBe(0x00010203); expect(load<u32>(sackBlock(3) + 4)).toBe(0x1c1d1e1f);
    // 5 blocks (2 + 40 = 42) never fit in the 40-byte option area of a checked header …
    const f: u8[] = [0x05, 42];
    for (let i = 0; i < 38; i++) f.push(0);
    expect(parse(f, 60)).toBe(false);
    // … and the block-count limit rejects them on its own when the length is in bounds
    // (header length 64 passed directly, as no checked header can have it).
    for (let i = 0; i < 4; i++) f.push(0);
    expect(parse(f, 64)).toBe(false);
    expect(opts.sackCount).toBe(0);
  });
  it("RFC 9293 3.2: no stale values: MSS/WS/SACK-permitted/TS/SACK then a bare header → all absent", () => {
    garbleOpts();
    expect(parse([0x02, 0x04, 0x05, 0xb4, 0x03, 0x03, 0x07, 0x04, 0x02,
                  0x08, 0x0a, 0, 0, 0, 9, 0, 0, 0, 8,
                  0x01, 0x05, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2], 52)).toBe(true);
    expect(opts.mss).toBe(1460);
    expect(opts.wscale).toBe(7);
    expect(opts.sackOk).toBe(true);
    expect(opts.hasTs).toBe(true);
    expect(opts.sackCount).toBe(1);
    expect(parse([], 20)).toBe(true);
    expectOnlyMss(0);
  });
  it("RFC 9293 3.2: no stale values: a segment with MSS, then one with only a TS", () => {
    garbleOpts();
    expect(parse([0x02, 0x04, 0x05, 0xb4], 24)).toBe(true);
    expect(opts.mss).toBe(1460);
    expect(parse([0x01, 0x01, 0x08, 0x0a, 0, 0, 0, 1, 0, 0, 0, 2], 32)).toBe(true);
    expect(opts.mss).toBe(0);
    expect(opts.hasTs).toBe(true);
  });
  it("RFC 9293 3.2: no stale values: after a malformed list, a bare header resets everything", () => {
    garbleOpts();
    // MSS and WS parsed, then a length-0 option: rejected (the caller drops the segment)
    expect(parse([0x02, 0x04, 0x05, 0xb4, 0x03, 0x03, 0x07, 0x1e, 0x00, 0, 0, 0], 32)).toBe(false);
    expect(parse([], 20)).toBe(true);
    expectOnlyMss(0);
  });
  it("RFC 9293 3.2: no stale values: a malformed list after a good one does not carry the good one's options", () => {
    garbleOpts();
    expect(parse([0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x01, 0x01], 28)).toBe(true);
    // WS only, then a bad MSS: the earlier MSS/SACK-permitted must not survive
    expect(parse([0x03, 0x03, 0x02, 0x02, 0x03, 0x01, 0x01, 0x01], 28)).toBe(false);
    expect(opts.mss).toBe(0);
    expect(opts.sackOk).toBe(false);
  });
});
