// The pcaps Petrel writes are read by a real dissector: tshark (Debian's package, installed here
// when missing) must find every frame well-formed with correct IP and TCP checksums.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, writeOutput } from "../../host/node/files.ts";
import { PcapWriter } from "../../host/packet/pcap.ts";
import { buildTcpFrame } from "../../host/packet/packet.ts";
import { SimNet } from "../../host/sim/sim.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";
import { tsharkProblems } from "../support/tshark.ts";

const problems = tsharkProblems;

test("the demo's pcap (npm start) opens in tshark with no malformed packet and no bad checksum", (t) => {
  const why = ensureDebianTool("tshark", "tshark");
  if (why) return unavailable(t, why);
  const pcap = join(ROOT, "out", "demo.pcap");
  rmSync(pcap, { force: true });
  const out = execFileSync(process.execPath, ["--import", "tsx", join(ROOT, "host", "apps", "demo.ts")], { cwd: ROOT, encoding: "utf8" });
  assert.match(out, /SYN_SENT -> ESTABLISHED/);
  assert.ok(existsSync(pcap), "the demo wrote out/demo.pcap");
  const { frames, flagged } = problems(pcap);
  assert.ok(frames >= 20, `the demo capture has ${frames} frames`);
  assert.deepEqual(flagged, []);
});

test("a capture with resets, retransmissions and refused connections is also clean in tshark", (t) => {
  const why = ensureDebianTool("tshark", "tshark");
  if (why) return unavailable(t, why);
  const net = new SimNet({ seed: 77 });
  const server = net.host({ name: "server", ip: "198.18.0.1", fault: { loss: 0.15, seed: 3 } });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  server.listen(7, 4, (c) => c.on("data", (d) => c.write(d)).on("end", () => c.close()));
  const refused = client.connect("198.18.0.1", 4444);                 // RST
  const echo = client.connect("198.18.0.1", 7);
  echo.write(new Uint8Array(30_000).fill(0x61));
  echo.end();
  net.runUntil(() => echo.ended && refused.error !== null, { maxVirtualMs: 600_000 });
  const aborted = client.connect("198.18.0.1", 7);
  net.runUntil(() => aborted.connected, { maxVirtualMs: 60_000 });
  aborted.abort();
  net.run(5000);
  const dir = mkdtempSync(join(tmpdir(), "petrel-pcap-"));
  const file = writeOutput(join(dir, "faults.pcap"), net.pcap.bytes());
  const { frames, flagged } = problems(file);
  assert.ok(frames > 40);
  assert.deepEqual(flagged, []);
  assert.ok(client.counters().TCP_RETRANSMITS + server.counters().TCP_RETRANSMITS > 0, "the capture includes retransmissions");
  rmSync(dir, { recursive: true, force: true });
});

test("control: the tshark check does flag a frame with a bad TCP checksum", (t) => {
  const why = ensureDebianTool("tshark", "tshark");
  if (why) return unavailable(t, why);
  const w = new PcapWriter();
  const base = { src: "198.18.0.2", dst: "198.18.0.1", srcMac: "02:00:00:00:00:02", dstMac: "02:00:00:00:00:01", sport: 40000, dport: 7, seq: 1, flags: "S" };
  w.write(0, buildTcpFrame(base));
  w.write(1, buildTcpFrame({ ...base, seq: 2, checksum: 0x1234 }));
  const dir = mkdtempSync(join(tmpdir(), "petrel-pcap-"));
  const file = writeOutput(join(dir, "bad.pcap"), w.bytes());
  const { frames, flagged } = problems(file);
  assert.equal(frames, 2);
  assert.equal(flagged.length, 1);
  assert.match(flagged[0]!, /^2\t/);
  rmSync(dir, { recursive: true, force: true });
});
