// Keepalive against the Linux kernel (RFC 1122 4.2.3.6): the kernel's probes (SO_KEEPALIVE) reach
// Petrel as unacceptable segments <SEQ=RCV.NXT−1> and must each get an ACK; Petrel's probes must
// draw the kernel's ACK. Real time, so the idle times are 1 s.
import assert from "node:assert/strict";
import { startServices } from "../../host/apps/services.ts";
import { interopTest } from "../support/interop.ts";
import { KERNEL_IP, PETREL_IP } from "../support/netns.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interopTest("RFC 1122 4.2.3.6 the kernel's keepalive probes (1 s idle) are answered by Petrel; the idle connection stays up", { timeoutMs: 30_000 }, async (env) => {
  startServices(env.petrel, ["echo"]);
  const before = env.petrel.stack.counters().DROP_TCP_OUT_OF_WINDOW;
  const r = await env.peer<{ echoed?: string; error?: string }>("keepalive-client", { host: PETREL_IP, port: 7, idleMs: 1000, holdMs: 5500 }, 20_000).result;
  assert.equal(r.error, undefined);
  assert.equal(r.echoed, "still there\n");
  // each probe is an unacceptable segment at Petrel; an unanswered one would be repeated at the
  // kernel's probe interval instead of after another full second of idle
  const probes = env.petrel.stack.counters().DROP_TCP_OUT_OF_WINDOW - before;
  assert.ok(probes >= 3 && probes <= 6, `${probes} kernel probes in 5.5 s of idle`);
});

interopTest("RFC 1122 4.2.3.6 Petrel's keepalive probes (setKeepAlive 1 s) draw the kernel's ACK; the idle connection stays up", { timeoutMs: 30_000 }, async (env) => {
  const peer = env.peer<{ connections: number }>("echo-server", { host: KERNEL_IP, port: 5004 });
  await peer.listening;
  const s = env.petrel.connect(5004, KERNEL_IP);
  s.setKeepAlive(true, 1000);
  let got = "";
  s.setEncoding("utf8");
  s.on("data", (d: string) => (got += d));
  let error: Error | null = null;
  s.on("error", (e) => (error = e));
  for (let i = 0; i < 100 && s.connecting; i++) await sleep(20);
  await sleep(4500);
  const c = env.petrel.stack.counters();
  // answered probes come one per second of idle; an unanswered one would wait KEEPINTVL (75 s)
  assert.ok(c.TCP_KEEPALIVE_PROBES >= 3 && c.TCP_KEEPALIVE_PROBES <= 5, `${c.TCP_KEEPALIVE_PROBES} probes in 4.5 s`);
  assert.equal(c.TCP_KEEPALIVE_TIMEOUTS, 0);
  s.write("still there\n");
  for (let i = 0; i < 100 && got !== "still there\n"; i++) await sleep(20);
  assert.equal(got, "still there\n");
  assert.equal(error, null);
  s.end();
  peer.send("report");
  assert.equal((await peer.result).connections, 1);
});
