// What the host side does per connection, counted (never timed): a Node server's CPU per
// connection is mostly this work, so each test pins one part of it that was cut (issue 14).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { test } from "node:test";
import { discard } from "../../host/apps/services.ts";
import { wasmPathFor } from "../../host/node/files.ts";
import { PetrelStack } from "../../host/node/net.ts";
import { buildTcpFrame, buildUdpFrame } from "../../host/packet/packet.ts";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";
import { segmentEndpoints } from "../../host/stack/transition.ts";
import { until } from "./steps.ts";

const skip = existsSync(wasmPathFor()) ? false : "build/petrel.wasm not built (npm run build)";
const MACS = { srcMac: "02:00:00:00:00:0a", dstMac: "02:00:00:00:00:01" };

test("segmentEndpoints names a TCP/IPv4 segment from its receiver's side, and nothing else", () => {
  const syn = buildTcpFrame({ ...MACS, src: "198.18.0.10", dst: "198.18.0.1", sport: 49152, dport: 9, flags: "S", options: [{ kind: "mss", value: 1460 }] });
  assert.deepEqual(segmentEndpoints(syn), { local: "198.18.0.1:9", remote: "198.18.0.10:49152" });
  const udp = buildUdpFrame({ ...MACS, src: "198.18.0.10", dst: "198.18.0.1", sport: 5000, dport: 53, payload: new Uint8Array(4) });
  assert.equal(segmentEndpoints(udp), null, "UDP");
  assert.equal(segmentEndpoints(syn.subarray(0, 14 + 20 + 2)), null, "truncated before the ports");
  const frag = syn.slice();
  frag[20] = 0x20; // more fragments
  assert.equal(segmentEndpoints(frag), null, "a fragment");
  const arp = syn.slice();
  arp[13] = 0x06;
  assert.equal(segmentEndpoints(arp), null, "not IPv4");
});

test("a server's connections are named without building tcp_info objects (Core.info) and with one tcp_info read each", { skip }, async () => {
  const net = new SimNet({ seed: 5, capture: false, traceStates: false, delayMs: 0.5 });
  const serverHost = net.host({ name: "server", ip: "198.18.0.1", profile: "default" });
  const client = net.host({ name: "client", ip: "198.18.0.10", profile: "server" });
  const srv = PetrelStack.over(serverHost).createServer(discard);
  let listening = false;
  srv.listen(9, () => (listening = true));
  await until(net, () => listening, "listening");
  const core = serverHost.core;
  let infos = 0;
  let tcpInfos = 0;
  const info = core.info.bind(core);
  core.info = (h: number) => (infos++, info(h));
  const x = core.x as unknown as Record<string, unknown>;
  const tcpInfo = core.x.tcp_info;
  (core as unknown as { x: unknown }).x = { ...x, tcp_info: (h: number, p: number) => (tcpInfos++, tcpInfo(h, p)) };
  const n = 20;
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    const c: Conn = client.connect("198.18.0.1", 9);
    await until(net, () => c.connected || c.closed, `connection ${i}`);
    assert.ok(c.connected);
    ports.push(c.localPort);
    c.close();
    await until(net, () => serverHost.core.connections() === 0, `connection ${i} over on the server`);
  }
  assert.equal(infos, 0, "no TcpInfo object built per connection");
  // the SYN's transition asks once (not accepted yet: refused, the segment names it), the accept once
  assert.ok(tcpInfos <= 2 * n, `tcp_info calls: ${tcpInfos} for ${n} connections`);
  // and every transition of every connection still carries its endpoints
  const ts = serverHost.transitions.filter((t) => t.local === "198.18.0.1:9");
  for (const p of ports) {
    const mine = ts.filter((t) => t.remote === `198.18.0.10:${p}`);
    assert.deepEqual(mine.map((t) => t.to), ["SYN_RECEIVED", "ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED"], `connection from port ${p}`);
  }
  assert.equal(ts.length, 5 * n, "every connection's transition carries its endpoints");
  assert.deepEqual(serverHost.transitions.filter((t) => t.to !== "LISTEN" && t.local !== "198.18.0.1:9"), [], "no transition without them");
});
