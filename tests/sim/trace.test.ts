import assert from "node:assert/strict";
import { test } from "node:test";
import { Clock } from "../../host/time/clock.ts";
import { ChannelLink } from "../../host/link/channel.ts";
import { TraceLink } from "../../host/link/pcap.ts";
import { buildArpFrame, buildIcmpEchoFrame, buildTcpFrame, checksum, flagsToString, parseFlags, parseFrame, type TcpFields } from "../../host/packet/packet.ts";
import { describeFrame, formatFrame, formatTime } from "../../host/packet/trace.ts";

const C = { srcMac: "02:00:00:00:00:02", dstMac: "02:00:00:00:00:01", src: "198.18.0.2", dst: "198.18.0.1", sport: 49152, dport: 7 };
const tcp = (f: Partial<TcpFields>): Uint8Array => buildTcpFrame({ ...C, ...f });

test("trace: time format is seconds with microseconds", () => {
  assert.equal(formatTime(0), "0.000000");
  assert.equal(formatTime(1), "0.001000");
  assert.equal(formatTime(120008.5), "120.008500");
});

test("trace: SYN with options", () => {
  const f = tcp({ seq: 12345, flags: "S", win: 8192, options: [{ kind: "mss", value: 1460 }] });
  assert.equal(formatFrame(1, f), "0.001000 198.18.0.2.49152 > 198.18.0.1.7: Flags [S], seq 12345, win 8192, options [mss 1460], length 0");
});

test("trace: SYN-ACK, ACK, data, FIN, RST in tcpdump -S form", () => {
  assert.equal(describeFrame(tcp({ seq: 100, ack: 12346, flags: "S.", win: 8192, options: [{ kind: "mss", value: 1460 }, { kind: "nop" }, { kind: "wscale", value: 7 }, { kind: "sackOK" }, { kind: "ts", val: 1, ecr: 0 }] })),
    "198.18.0.2.49152 > 198.18.0.1.7: Flags [S.], seq 100, ack 12346, win 8192, options [mss 1460,nop,wscale 7,sackOK,TS val 1 ecr 0], length 0");
  assert.equal(describeFrame(tcp({ seq: 101, ack: 12346, flags: ".", win: 8192 })), "198.18.0.2.49152 > 198.18.0.1.7: Flags [.], ack 12346, win 8192, length 0");
  assert.equal(describeFrame(tcp({ seq: 101, ack: 12346, flags: "P.", win: 8192, payload: "hello" })), "198.18.0.2.49152 > 198.18.0.1.7: Flags [P.], seq 101:106, ack 12346, win 8192, length 5");
  assert.equal(describeFrame(tcp({ seq: 106, ack: 12346, flags: "F.", win: 8192 })), "198.18.0.2.49152 > 198.18.0.1.7: Flags [F.], seq 106, ack 12346, win 8192, length 0");
  assert.equal(describeFrame(tcp({ seq: 0, flags: "R", win: 0 })), "198.18.0.2.49152 > 198.18.0.1.7: Flags [R], seq 0, win 0, length 0");
  assert.equal(describeFrame(tcp({ seq: 0, ack: 1, flags: "R.", win: 0 })), "198.18.0.2.49152 > 198.18.0.1.7: Flags [R.], seq 0, ack 1, win 0, length 0");
  assert.equal(describeFrame(tcp({ seq: 5, ack: 1, flags: "FP.", payload: "x", win: 1 })), "198.18.0.2.49152 > 198.18.0.1.7: Flags [FP.], seq 5:6, ack 1, win 1, length 1");
});

test("trace: flag letters round-trip in tcpdump order", () => {
  assert.equal(flagsToString(parseFlags("S.")), "S.");
  assert.equal(flagsToString(parseFlags("SA")), "S.");
  assert.equal(flagsToString(0x19), "FP.");
  assert.equal(flagsToString(0), "none");
});

test("trace: bad TCP checksum is marked with the correct value", () => {
  const good = parseFrame(tcp({ seq: 1, flags: "S" })).tcp!;
  const line = describeFrame(tcp({ seq: 1, flags: "S", checksum: 0x1234 }));
  assert.match(line, new RegExp(`cksum 0x1234 \\(incorrect -> 0x${good.checksum.toString(16).padStart(4, "0")}\\)`));
  assert.match(describeFrame(buildTcpFrame({ ...C, seq: 1, flags: "S", ipChecksum: 0xbeef })), /\[bad ip cksum 0xbeef\]/);
});

test("trace: ARP request and reply", () => {
  assert.equal(describeFrame(buildArpFrame({ op: "request", senderMac: "02:00:00:00:00:02", senderIp: "198.18.0.2", targetIp: "198.18.0.1" })), "ARP, Request who-has 198.18.0.1 tell 198.18.0.2, length 28");
  assert.equal(describeFrame(buildArpFrame({ op: "reply", senderMac: "02:00:00:00:00:01", senderIp: "198.18.0.1", targetMac: "02:00:00:00:00:02", targetIp: "198.18.0.2" })), "ARP, Reply 198.18.0.1 is-at 02:00:00:00:00:01, length 28");
});

test("trace: ICMP echo request/reply", () => {
  const req = buildIcmpEchoFrame({ ...C, id: 1, seq: 1, data: new Uint8Array(56) });
  assert.equal(describeFrame(req), "198.18.0.2 > 198.18.0.1: ICMP echo request, id 1, seq 1, length 64");
  const rep = buildIcmpEchoFrame({ ...C, type: "reply", id: 1, seq: 1 });
  assert.equal(describeFrame(rep), "198.18.0.2 > 198.18.0.1: ICMP echo reply, id 1, seq 1, length 8");
});

test("trace: truncated and odd frames never throw", () => {
  assert.equal(describeFrame(new Uint8Array(5)), "[truncated ethernet (5 bytes)]");
  const f = tcp({ flags: "S" });
  assert.match(describeFrame(f.subarray(0, 40)), /malformed ip|truncated/);
  for (let n = 0; n <= f.length; n++) describeFrame(f.subarray(0, n));
});

test("packet: built frames carry valid checksums", () => {
  const p = parseFrame(tcp({ seq: 7, ack: 9, flags: "P.", payload: "odd" }));
  assert.ok(p.ip!.checksumOk && p.tcp!.checksumOk);
  assert.equal(new TextDecoder().decode(p.tcp!.payload), "odd");
  assert.equal(checksum(Uint8Array.from([0x45, 0, 0, 0x1c])), ~(0x4500 + 0x001c) & 0xffff);
  const i = parseFrame(buildIcmpEchoFrame({ ...C, id: 3, seq: 4, data: "abc" }));
  assert.ok(i.icmp!.checksumOk);
  assert.deepEqual([i.icmp!.id, i.icmp!.seq], [3, 4]);
});

test("trace link: one line per frame, both directions", () => {
  const clock = new Clock();
  const ch = new ChannelLink(clock);
  const lines: string[] = [];
  const t = new TraceLink(ch, clock, (l) => lines.push(l), { prefix: "h" });
  t.onFrame(() => {});
  t.send(tcp({ seq: 1, flags: "S" }));
  ch.inject(tcp({ seq: 2, ack: 2, flags: "S." }), 2);
  clock.runUntilIdle();
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^h > 0\.000000 .*Flags \[S\]/);
  assert.match(lines[1]!, /^h < 0\.002000 .*Flags \[S\.\]/);
});
