// TIME-WAIT must not exhaust the table: a server that closes first keeps every such connection in
// TIME-WAIT for 2 MSL, and with a small table it used to lock itself out (an HTTP/1.0 server stalled
// after 64 requests). When the table is full, the oldest TIME-WAIT slot is reused for the new
// connection; and a new SYN for a 4-tuple in TIME-WAIT reopens it when it cannot be an old
// duplicate (RFC 9293 3.6.1 / RFC 1122 4.2.2.13 with sequence numbers, RFC 6191 with timestamps).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";
import { Bench } from "./fixture.ts";

test("RFC 9293 3.6.1 TIME-WAIT slots are reused when the table is full: 5 000 sequential short connections, server closes first, 4-slot table, all succeed", () => {
  const net = new SimNet({ seed: 23 });
  const server = net.host({ name: "server", ip: "198.18.0.1", profile: "tiny" });
  const client = net.host({ name: "client", ip: "198.18.0.2" });
  assert.equal(server.core.config().MAX_CONNS, 4);
  server.listen(80, 2, (c) => { c.write("HTTP/1.0 200 OK\r\n\r\nok"); c.close(); });   // Petrel closes first
  let done = 0;
  for (let i = 0; i < 5000; i++) {
    const c: Conn = client.connect("198.18.0.1", 80);
    let got = "";
    c.on("data", (d) => (got += Buffer.from(d).toString()));
    c.on("end", () => { if (got.endsWith("ok")) done++; c.close(); });
    net.runUntil(() => c.freed || c.error !== null, { maxVirtualMs: 30_000 });
    assert.equal(c.error, null, `connection ${i}: ${c.error}`);
  }
  assert.equal(done, 5000);
  const s = server.counters();
  assert.ok(s.TCP_TIME_WAIT_RECYCLED >= 4990, `TIME-WAIT slots reused (${s.TCP_TIME_WAIT_RECYCLED})`);
  assert.equal(s.DROP_TCP_TABLE_FULL ?? 0, 0, "no SYN was refused");
  assert.equal(server.core.connections(), 4, "the table holds the last four in TIME-WAIT");
});

test("RFC 9293 3.6.1 an active opener that closes first reuses its TIME-WAIT slots too: 40 sequential connections from a 4-slot table", () => {
  const net = new SimNet({ seed: 24 });
  const server = net.host({ name: "server", ip: "198.18.0.1" });
  const client = net.host({ name: "client", ip: "198.18.0.2", profile: "tiny" });
  server.listen(7, 8, (c) => c.on("data", (d) => c.write(d)).on("end", () => c.close()));
  let done = 0;
  for (let i = 0; i < 40; i++) {
    const c: Conn = client.connect("198.18.0.1", 7);
    c.write("ping");
    c.on("data", () => { done++; c.close(); });                  // the client closes first: its TIME-WAIT
    net.runUntil(() => c.freed || c.error !== null, { maxVirtualMs: 30_000 });
    assert.equal(c.error, null, `connection ${i}: ${c.error}`);
  }
  assert.equal(done, 40);
  assert.ok(client.counters().TCP_TIME_WAIT_RECYCLED >= 36);
});

/** The dut in TIME-WAIT after closing first; the peer's next sequence number is 1002. */
function timeWait(withTs: boolean): { b: Bench; iss: number } {
  const b = new Bench();
  const l = b.listen();
  const ts = (v: number) => (withTs ? [{ kind: "ts" as const, val: v, ecr: 1 }] : []);
  b.send({ flags: "S", seq: 1000, options: [{ kind: "mss", value: 1460 }, ...ts(100)] });
  const iss = b.expect({ flags: "S." }).seq;
  b.send({ flags: ".", seq: 1001, ack: iss + 1, options: ts(101) });
  l.accepted[0]!.close();                                      // the dut closes first
  b.expect({ flags: "F.", seq: iss + 1, ack: 1001 });
  b.send({ flags: "F.", seq: 1001, ack: iss + 2, options: ts(102) });
  b.expect({ flags: ".", ack: 1002 });
  assert.equal(b.stack.core.connections(), 1, "in TIME-WAIT");
  return { b, iss };
}

test("RFC 9293 3.6.1 / RFC 1122 4.2.2.13 a SYN above RCV.NXT reopens a 4-tuple in TIME-WAIT; an old one does not", () => {
  const { b } = timeWait(false);
  b.send({ flags: "S", seq: 900, options: [{ kind: "mss", value: 1460 }] });     // below RCV.NXT: an old duplicate
  b.expect({ flags: ".", ack: 1002 });                        // answered as in TIME-WAIT: an ACK, nothing reopened
  assert.equal(b.counters().TCP_TIME_WAIT_RECYCLED ?? 0, 0);
  b.advance(1000);
  b.send({ flags: "S", seq: 50_000, options: [{ kind: "mss", value: 1460 }] });  // a new incarnation
  const sa = b.expect({ flags: "S.", ack: 50_001 });
  assert.equal(b.counters().TCP_TIME_WAIT_RECYCLED, 1);
  b.send({ flags: ".", seq: 50_001, ack: sa.seq + 1 });
  assert.equal(b.stack.core.connections(), 1, "the new connection took the slot");
});

test("RFC 6191 with timestamps agreed, a SYN whose TSval is above TS.Recent reopens TIME-WAIT, even below RCV.NXT; one with an old TSval does not", () => {
  const { b } = timeWait(true);
  b.send({ flags: "S", seq: 50_000, options: [{ kind: "mss", value: 1460 }, { kind: "ts", val: 50, ecr: 0 }] });   // old TSval
  b.expect({ flags: ".", ack: 1002 });
  assert.equal(b.counters().TCP_TIME_WAIT_RECYCLED ?? 0, 0);
  b.send({ flags: "S", seq: 500, options: [{ kind: "mss", value: 1460 }, { kind: "ts", val: 200, ecr: 0 }] });    // newer TSval, lower seq
  b.expect({ flags: "S.", ack: 501 });
  assert.equal(b.counters().TCP_TIME_WAIT_RECYCLED, 1);
});
