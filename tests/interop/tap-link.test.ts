// The TAP link's write side (host/node/tap.ts, native/tap.c writeBatch): the frames the stack sends
// during one JavaScript turn are copied into one buffer and written by one native call, in order,
// at most TX_BATCH (32) to a call; a frame the kernel refuses is counted, never dropped silently.
import assert from "node:assert/strict";
import { interopTest } from "../support/interop.ts";
import { KERNEL_IP, PETREL_IP } from "../support/netns.ts";

interopTest("TapLink: 70 datagrams sent in one turn leave in 3 native write calls (32 + 32 + 6), in order", {}, async (env) => {
  const sink = env.peer<{ got: string[] }>("udp-sink", { host: KERNEL_IP, port: 5007, n: 70 });
  await sink.listening;
  // the kernel's ping puts its MAC in Petrel's ARP cache: no datagram waits for ARP
  const ping = await env.exec(["ping", "-c", "1", "-W", "5", PETREL_IP], 10_000);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  const s = env.petrel.createSocket("udp4");
  const before = { ...env.link.stats };
  for (let i = 0; i < 70; i++) s.send(`datagram ${i}`, 5007, KERNEL_IP);
  const { got, error } = await sink.result;
  assert.equal(error, undefined);
  assert.deepEqual(got, Array.from({ length: 70 }, (_, i) => `datagram ${i}`));
  assert.equal(env.link.stats.txFrames - before.txFrames, 70);
  assert.equal(env.link.stats.txCalls - before.txCalls, 3, "one native call per 32 frames, the rest at the end of the turn");
  assert.equal(env.link.stats.txErrors, 0);
  s.close();
});

interopTest("TapLink: frames the kernel refuses (device down: EIO) are counted and reported, the next ones still go", {}, async (env) => {
  const ping = await env.exec(["ping", "-c", "1", "-W", "5", PETREL_IP], 10_000);
  assert.equal(ping.code, 0, ping.stdout + ping.stderr);
  const s = env.petrel.createSocket("udp4");
  await env.exec(["ip", "link", "set", env.dev, "down"]);
  const before = { ...env.link.stats };
  for (let i = 0; i < 5; i++) s.send(`lost ${i}`, 5007, KERNEL_IP);
  await new Promise((r) => setImmediate(r));
  assert.equal(env.link.stats.txErrors - before.txErrors, 5, "each refused frame counted");
  assert.equal(env.link.stats.txFrames - before.txFrames, 0);
  assert.equal(env.link.lastTxError, -5, "the errno reported: EIO");
  await env.exec(["ip", "link", "set", env.dev, "up"]);
  const sink = env.peer<{ got: string[] }>("udp-sink", { host: KERNEL_IP, port: 5007, n: 1 });
  await sink.listening;
  s.send("after", 5007, KERNEL_IP);
  assert.deepEqual((await sink.result).got, ["after"]);
  s.close();
});
