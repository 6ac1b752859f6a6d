// The TAP link's read side (host/node/tap.ts, native/tap.c reader): a thread of the addon reads the
// frames into a ring of 1 024 and wakes the event loop; readBatch takes them from the ring. Checked on
// a TAP in a namespace of this test: the kernel sends 3 000 UDP datagrams into it while this
// process's JavaScript thread is blocked (a synchronous child process), so the ring fills, the thread
// waits for room and the kernel's queue holds the rest; once the thread is free again every datagram
// arrives, in order, none dropped at the TAP, with no further traffic to wake anyone. Then close()
// stops the thread and the device this link created goes away.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TapLink } from "../../host/node/tap.ts";
import { Netns, tapName } from "../boards/support.ts";
import { unavailable } from "../support/env.ts";
import { interopUnavailable } from "../support/netns.ts";

const N = 3000;
const KERNEL = "198.18.0.1";
const FAR = "198.18.0.2";
const FAR_MAC = "02:00:5e:f1:00:02";

test(`TapLink's reader thread: ${N} frames the kernel queued while JavaScript was blocked all arrive, in order`, { timeout: 60_000 }, async (t) => {
  const why = interopUnavailable();
  if (why) return unavailable(t, why);
  const ns = new Netns("rdr");
  const dev = tapName("r");
  let link: TapLink | undefined;
  try {
    link = TapLink.open(dev);
    assert.equal(link.threaded, true, "the addon's reader thread reads this TAP");
    const got: number[] = [];
    link.onFrame((f) => {
      // Ethernet + IPv4 (no options) + UDP to port 9: "seq N"
      if (f.length < 42 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 17 || ((f[36]! << 8) | f[37]!) !== 9) return;
      got.push(Number(Buffer.from(f.subarray(42)).toString().slice(4)));
    });
    ns.adopt(dev);
    ns.ip("addr", "add", `${KERNEL}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    ns.ip("neigh", "replace", FAR, "lladdr", FAR_MAC, "dev", dev, "nud", "permanent"); // no ARP: every datagram is a frame
    // the sender runs while spawnSync blocks this thread: nothing here takes frames from the ring
    const send = ns.exec([process.execPath, "-e", `
      const s = require("dgram").createSocket("udp4");
      let done = 0;
      for (let i = 0; i < ${N}; i++) s.send(Buffer.from("seq " + i), 9, "${FAR}", () => { if (++done === ${N}) s.close(); });`], 30_000);
    assert.equal(send.code, 0, `the sender: ${send.stderr}`);
    for (let i = 0; i < 500 && got.length < N; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, N, `${got.length} of ${N} datagrams arrived`);
    assert.deepEqual(got, Array.from({ length: N }, (_, i) => i), "in the order sent");
    const js = JSON.parse(ns.exec(["ip", "-s", "-j", "link", "show", "dev", dev]).stdout) as { stats64: { tx: { dropped: number } } }[];
    assert.equal(js[0]!.stats64.tx.dropped, 0, "none dropped at the TAP's queue");
    link.close();
    assert.notEqual(ns.exec(["ip", "link", "show", "dev", dev]).code, 0, "the device went away with the fd");
  } finally {
    link?.close();
    ns.close();
  }
});
