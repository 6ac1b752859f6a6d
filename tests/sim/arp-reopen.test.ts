// The transfer's client opens again after an open that ended with EHOSTUNREACH because every ARP
// exchange was lost on the link (RFC 1122 2.3.2.1: the open ends after two failed resolutions, as
// designed; docs/conformance.md), and only then: the ARP ledger (host/sim/arp-ledger.ts) must show
// the loss. An EHOSTUNREACH for any other reason still fails the run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { faultMix } from "../../host/sim/fault-mix.ts";
import { runTransfer } from "../../host/sim/transfer.ts";
import type { TransferOptions } from "../../host/sim/transfer-types.ts";

const BYTES = 16 * 1024;
const arpOp = (f: Uint8Array): number => (f.length >= 42 && f[12] === 0x08 && f[13] === 0x06 ? (f[20]! << 8) | f[21]! : 0);

/** A drop hook that drops the first `n` ARP frames of operation `op` (1 request, 2 reply) passing `host`'s `dir` side. */
function dropArp(host: "client" | "server", dir: "tx" | "rx", op: number, n = Infinity): TransferOptions["drop"] {
  let dropped = 0;
  return (h, d, frame) => h === host && d === dir && arpOp(frame) === op && dropped++ < n;
}

test("RFC 1122 2.3.2.1: every ARP request of the client's first open lost: the open ends with EHOSTUNREACH at 7 s, the client opens again and the transfer completes byte-exact", () => {
  const r = runTransfer({ seed: 3, bytes: BYTES, invariants: true, drop: dropArp("client", "tx", 1, 6) });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.sha256Match, true);
  assert.equal(r.opens, 2);
  assert.equal(r.openedMs, 7000, "two resolutions of 3 requests each, then the SYN's timeout");
  assert.deepEqual(r.finalStates, ["CLOSED", "CLOSED"]);
});

test("RFC 1122 2.3.2.1: every ARP reply to the client's first open lost: the client opens again and the transfer completes", () => {
  const r = runTransfer({ seed: 3, bytes: BYTES, invariants: true, drop: dropArp("server", "tx", 2, 6) });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.opens, 2);
  assert.equal(r.openedMs, 7000);
});

test("soak seed 1974 (18 % loss): the six ARP requests of the first open are lost, the second open carries the transfer byte-exact", () => {
  const r = runTransfer({ ...faultMix(1974), invariants: true, maxSteps: 150_000 });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.opens, 2);
  assert.equal(r.openedMs, 7000);
});

test("the reopens are bounded: every ARP request lost forever ends the run after 3 opens, as a failure", () => {
  const r = runTransfer({ seed: 3, bytes: BYTES, drop: dropArp("client", "tx", 1) });
  assert.equal(r.ok, false);
  assert.equal(r.opens, 3);
  assert.match(r.error ?? "", /^client connection failed with EHOSTUNREACH at t=21000 ms: 3 opens, every ARP exchange of each lost/);
});

test("opens: 1 gives no second open: the first failed open is the run's failure", () => {
  const r = runTransfer({ seed: 3, bytes: BYTES, opens: 1, drop: dropArp("client", "tx", 1, 6) });
  assert.equal(r.ok, false);
  assert.equal(r.opens, 1);
  assert.match(r.error ?? "", /EHOSTUNREACH at t=7000 ms: 1 open, every ARP exchange of it lost/);
});

test("an EHOSTUNREACH for another reason is a failure: replies that got through the link but never reached the client's core", () => {
  // the client's receive side drops the replies: the record shows them delivered, so the loss is not the link's
  const r = runTransfer({ seed: 3, bytes: BYTES, drop: dropArp("client", "rx", 2) });
  assert.equal(r.ok, false);
  assert.equal(r.opens, 1, "no second open");
  assert.match(r.error ?? "", /^client connection failed with EHOSTUNREACH at t=7000 ms, not for lost ARP exchanges: an ARP frame of server got through to client/);
});

test("an EHOSTUNREACH for another reason is a failure: a server that leaves requests which got through unanswered", () => {
  // the server's receive side drops the requests: the record shows them delivered and no reply sent
  const r = runTransfer({ seed: 3, bytes: BYTES, drop: dropArp("server", "rx", 1) });
  assert.equal(r.ok, false);
  assert.equal(r.opens, 1, "no second open");
  assert.match(r.error ?? "", /not for lost ARP exchanges: server left a request that reached it unanswered \(6 ARP requests from client for 198\.18\.0\.1, 6 got through; 0 replies/);
});
