// Classic libpcap files (magic 0xa1b2c3d4, version 2.4, LINKTYPE_ETHERNET), written with the
// virtual clock's timestamps so a simulated run opens in Wireshark/tcpdump like a real capture.
// Writing to a file is Node's: host/node/pcap-file.ts.

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;

export function pcapGlobalHeader(snaplen = PCAP_SNAPLEN, linktype = LINKTYPE_ETHERNET): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linktype, true);
  return b;
}

export function pcapRecord(timeMs: number, frame: Uint8Array, snaplen = PCAP_SNAPLEN): Uint8Array {
  const incl = Math.min(frame.length, snaplen);
  const b = new Uint8Array(16 + incl);
  const v = new DataView(b.buffer);
  const us = Math.round(timeMs * 1000);
  v.setUint32(0, Math.floor(us / 1_000_000), true);
  v.setUint32(4, us % 1_000_000, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, frame.length, true);
  b.set(frame.subarray(0, incl), 16);
  return b;
}

/** Where pcap records go: PcapWriter (memory) or PcapFileWriter (node/pcap-file.ts: streamed to a file). */
export interface PcapSink {
  write(timeMs: number, frame: Uint8Array): void;
  frames: number;
}

/** Collects records in memory; `bytes()` is the pcap file. */
export class PcapWriter implements PcapSink {
  private chunks: Uint8Array[] = [];
  frames = 0;

  constructor(readonly snaplen = PCAP_SNAPLEN) {
    this.chunks.push(pcapGlobalHeader(snaplen));
  }

  write(timeMs: number, frame: Uint8Array): void {
    this.chunks.push(pcapRecord(timeMs, frame, this.snaplen));
    this.frames++;
  }

  bytes(): Uint8Array {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export interface PcapEntry {
  timeMs: number;
  origLen: number;
  frame: Uint8Array;
}

/** Read a classic little-endian pcap (the ones this module writes) back, for tests. */
export function readPcap(b: Uint8Array): { snaplen: number; linktype: number; records: PcapEntry[] } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 24 || v.getUint32(0, true) !== PCAP_MAGIC) throw new Error("not a little-endian classic pcap file");
  const records: PcapEntry[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = v.getUint32(o, true);
    const usec = v.getUint32(o + 4, true);
    const incl = v.getUint32(o + 8, true);
    const orig = v.getUint32(o + 12, true);
    if (o + 16 + incl > b.length) throw new Error(`truncated pcap record at offset ${o}`);
    records.push({ timeMs: sec * 1000 + usec / 1000, origLen: orig, frame: b.slice(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { snaplen: v.getUint32(16, true), linktype: v.getUint32(20, true), records };
}
