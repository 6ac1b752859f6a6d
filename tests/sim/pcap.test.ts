import assert from "node:assert/strict";
import { test } from "node:test";
import { Clock } from "../../host/time/clock.ts";
import { ChannelLink } from "../../host/link/channel.ts";
import { PcapLink } from "../../host/link/pcap.ts";
import { PcapWriter, pcapGlobalHeader, readPcap } from "../../host/packet/pcap.ts";

test("pcap: global header is classic little-endian, v2.4, snaplen 65535, Ethernet", () => {
  assert.deepEqual([...pcapGlobalHeader()], [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
});

test("pcap: records carry virtual timestamps and lengths", () => {
  const w = new PcapWriter();
  w.write(1234.567, Uint8Array.from([1, 2, 3]));
  const b = w.bytes();
  assert.equal(b.length, 24 + 16 + 3);
  const v = new DataView(b.buffer);
  assert.equal(v.getUint32(24, true), 1); // seconds
  assert.equal(v.getUint32(28, true), 234567); // microseconds
  assert.equal(v.getUint32(32, true), 3);
  assert.equal(v.getUint32(36, true), 3);
  assert.deepEqual([...b.subarray(40)], [1, 2, 3]);
});

test("pcap: snaplen truncates the stored bytes, not the original length", () => {
  const w = new PcapWriter(4);
  w.write(0, new Uint8Array(10).fill(9));
  const r = readPcap(w.bytes());
  assert.equal(r.snaplen, 4);
  assert.equal(r.records[0]!.origLen, 10);
  assert.equal(r.records[0]!.frame.length, 4);
});

test("pcap link: records both directions in a readable capture", () => {
  const clock = new Clock();
  const ch = new ChannelLink(clock);
  const p = new PcapLink(ch, clock);
  p.onFrame(() => {});
  p.send(new Uint8Array(60).fill(1));
  ch.inject(new Uint8Array(42).fill(2), 3);
  clock.runUntilIdle();
  const r = readPcap(p.writer.bytes());
  assert.equal(r.linktype, 1);
  assert.deepEqual(r.records.map((x) => [x.timeMs, x.frame.length, x.frame[0]]), [[0, 60, 1], [3, 42, 2]]);
});
