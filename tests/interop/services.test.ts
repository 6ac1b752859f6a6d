// The Linux kernel as a client of Petrel's services over a TAP device (kernel 198.18.0.1 inside
// the test's namespace, Petrel 198.18.0.2): ARP + ping, echo, discard, chargen, the HTTP status page.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chargenMismatch, startServices } from "../../host/apps/services.ts";
import { ensureDebianTool } from "../support/env.ts";
import { interopTest } from "../support/interop.ts";
import { PETREL_IP } from "../support/netns.ts";

const MB = 1 << 20;

interopTest("ARP + ping from the kernel: 3 of 3 echo replies", {}, async (env) => {
  const why = ensureDebianTool("ping", "iputils-ping");
  assert.equal(why, null, why ?? "");
  const r = await env.exec(["ping", "-c", "3", "-i", "0.2", "-W", "1", PETREL_IP], 20_000);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /3 packets transmitted, 3 received/);
  const neigh = await env.exec(["ip", "neigh", "show", PETREL_IP]);
  assert.match(neigh.stdout, new RegExp(env.petrel.mac.replace(/:/g, ":"), "i"), "the kernel learned Petrel's MAC by ARP");
  assert.equal(env.petrel.stack.counters().ICMP_ECHO_REPLIED, 3);
});

interopTest("kernel client → Petrel echo: 10 MB of random data, sha256 equal", { timeoutMs: 90_000 }, async (env) => {
  startServices(env.petrel, ["echo"]);
  const r = await env.peer<{ sent: number; received: number; shaSent: string; shaRecv: string; ms: number }>("echo-client", { host: PETREL_IP, port: 7, bytes: 10 * MB }, 80_000).result;
  assert.equal(r.error, undefined);
  assert.equal(r.received, 10 * MB);
  assert.equal(r.shaRecv, r.shaSent);
});

interopTest("RFC 862: kernel node:dgram client → Petrel's UDP echo (host/node/dgram.ts): 60 datagrams of 0..1472 bytes byte-exact", {}, async (env) => {
  startServices(env.petrel, ["echo"]);
  const r = await env.peer<{ ok: number; retries: number }>("udp-echo", { host: PETREL_IP, port: 7, n: 60, seed: 11 }, 40_000).result;
  assert.equal(r.error, undefined);
  assert.equal(r.ok, 60);
  assert.equal(env.petrel.stack.counters().UDP_RX, 60 + r.retries);
});

interopTest("RFC 1122 4.1.3.1: kernel → a closed UDP port of Petrel: ICMP port unreachable, ECONNREFUSED", {}, async (env) => {
  const r = await env.peer<{ ms: number }>("udp-closed", { host: PETREL_IP, port: 4321 }, 10_000).result;
  assert.equal(r.error, "ECONNREFUSED");
  assert.equal(env.petrel.stack.counters().UDP_UNREACH_TX, 1);
});

interopTest("kernel → Petrel discard: 100 MB", { timeoutMs: 120_000 }, async (env) => {
  startServices(env.petrel, ["discard"]);
  const r = await env.peer<{ ms: number; hadError: boolean }>("send", { host: PETREL_IP, port: 9, bytes: 100 * MB }, 110_000).result;
  assert.equal(r.error, undefined);
  assert.equal(r.hadError, false);
  const got = env.petrel.stack.counters();
  assert.ok(got.TCP_RX_BYTES === undefined || got.TCP_RX_BYTES >= 100 * MB, `core counted ${got.TCP_RX_BYTES} bytes`);
});

interopTest("Petrel chargen → kernel: 1 MB of the RFC 864 pattern", {}, async (env) => {
  startServices(env.petrel, ["chargen"]);
  const file = join(env.dir, "chargen.bin");
  const r = await env.peer<{ received: number }>("recv", { host: PETREL_IP, port: 19, bytes: MB, file }).result;
  assert.equal(r.error, undefined);
  const data = readFileSync(file);
  assert.equal(data.length, MB);
  assert.equal(chargenMismatch(data), -1);
});

interopTest("HTTP GET of the status page from the kernel side (Node's http.Server over Petrel sockets)", {}, async (env) => {
  startServices(env.petrel, ["http", "echo"]);
  const r = await env.peer<{ status: number; body: string; headers: Record<string, string> }>("http-get", { url: `http://${PETREL_IP}/` }).result;
  assert.equal(r.error, undefined);
  assert.equal(r.status, 200);
  assert.match(r.headers["content-type"]!, /text\/plain/);
  assert.match(r.body, /petrel 198\.18\.0\.2/);
  assert.match(r.body, /198\.18\.0\.2:80 +198\.18\.0\.1:\d+ +ESTABLISHED/, "the connection table lists this very request");
  assert.match(r.body, /RX_FRAMES +\d+/);
  const j = await env.peer<{ status: number; body: string }>("http-get", { url: `http://${PETREL_IP}/status.json` }).result;
  assert.equal(JSON.parse(j.body).ip, PETREL_IP);
});
