// The net-compatible API (host/node/net.ts) between two Petrel stacks in the simulator: sockets are
// real stream.Duplex objects, so these tests drive the virtual clock one step at a time and let
// Node's stream machinery (nextTick, microtasks) run between steps.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import http from "node:http";
import { test } from "node:test";
import { wasmPathFor } from "../../host/node/files.ts";
import { PetrelStack, type Socket } from "../../host/node/net.ts";
import { SimNet } from "../../host/sim/sim.ts";
import { until } from "./steps.ts";

const skip = existsSync(wasmPathFor()) ? false : "build/petrel.wasm not built (npm run build)";
const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function pair(seed: number, o: { profile?: "tiny" | "default" | "server"; fault?: { loss?: number } } = {}) {
  const net = new SimNet({ seed, capture: false, traceStates: false });
  const a = PetrelStack.over(net.host({ name: "server", ip: "198.18.0.1", profile: o.profile, fault: o.fault }));
  const b = PetrelStack.over(net.host({ name: "client", ip: "198.18.0.2", profile: o.profile }));
  return { net, server: a, client: b };
}

function collect(s: Socket): { chunks: Buffer[]; ended: boolean; closed: boolean; hadError: boolean | null; error: NodeJS.ErrnoException | null; bytes(): Buffer } {
  const st = { chunks: [] as Buffer[], ended: false, closed: false, hadError: null as boolean | null, error: null as NodeJS.ErrnoException | null, bytes: () => Buffer.concat(st.chunks) };
  s.on("data", (d: Buffer) => st.chunks.push(d));
  s.on("end", () => (st.ended = true));
  s.on("error", (e) => (st.error = e));
  s.on("close", (hadError: boolean) => ((st.closed = true), (st.hadError = hadError)));
  return st;
}

test("net API: echo through pipe(), 1 MB byte-exact, both sockets close cleanly", { skip }, async () => {
  const { net, server, client } = pair(1);
  let accepted: Socket | null = null;
  const srv = server.createServer((s) => {
    accepted = s;
    s.pipe(s);
  });
  let listening = false;
  srv.listen(7, () => (listening = true));
  await until(net, () => listening, "listening");
  assert.deepEqual(srv.address(), { address: "198.18.0.1", family: "IPv4", port: 7 });
  const data = randomBytes(1 << 20);
  let connected = false;
  const c = client.connect({ host: "198.18.0.1", port: 7 }, () => (connected = true));
  assert.equal(c.connecting, true);
  assert.equal(c.readyState, "opening");
  const got = collect(c);
  await until(net, () => connected && accepted !== null, "connect and accept");
  assert.equal(c.remoteAddress, "198.18.0.1");
  assert.equal(c.remotePort, 7);
  assert.equal(c.localAddress, "198.18.0.2");
  assert.ok(c.localPort! >= 1024);
  assert.deepEqual(c.address(), { address: "198.18.0.2", family: "IPv4", port: c.localPort });
  assert.equal(accepted!.remotePort, c.localPort);
  c.end(data);
  await until(net, () => got.closed, "client close", 600_000);
  assert.equal(got.error, null);
  assert.equal(got.hadError, false);
  assert.equal(sha(got.bytes()), sha(data));
  assert.equal(c.bytesWritten, data.length);
  assert.equal(c.bytesRead, data.length);
  await until(net, () => accepted!.destroyed, "server socket closes");
});

test("net API: backpressure — write() returns false against a slow reader, 'drain' follows, the window closes", { skip }, async () => {
  const { net, server, client } = pair(2);
  let srvSock: Socket | null = null;
  const received: Buffer[] = [];
  server.createServer((s) => {
    srvSock = s;
    s.pause(); // a slow reader: read 4 KiB every 100 virtual ms (slower than a delayed ACK)
    const slow = (): void => {
      if (s.destroyed) return;
      const b = s.read(4096) as Buffer | null ?? s.read() as Buffer | null;
      if (b) received.push(b);
      net.clock.after(100, slow);
    };
    net.clock.after(100, slow);
  }).listen(9);
  const c = client.connect(9, "198.18.0.1");
  await until(net, () => !c.connecting && srvSock !== null, "connect");
  const total = 256 * 1024;
  const data = randomBytes(total);
  let falses = 0;
  let drains = 0;
  c.on("drain", () => drains++);
  let off = 0;
  let zeroWindow = false;
  const pump = (): void => {
    while (off < total) {
      const ok = c.write(data.subarray(off, off + 8192));
      off += 8192;
      if (!ok) {
        falses++;
        c.once("drain", pump);
        return;
      }
    }
    c.end();
  };
  pump();
  assert.ok(falses >= 1, "write() returned false once the send ring and the host buffer were full");
  await until(net, () => {
    const info = srvSock?.conn?.info();
    if (info && info.rcvWnd === 0) zeroWindow = true;
    return Buffer.concat(received).length >= total;
  }, "slow reader gets everything", 600_000);
  assert.ok(drains >= 1, "'drain' was emitted");
  assert.ok(zeroWindow, "the paused reader's receive window closed (flow control reached TCP)");
  assert.equal(sha(Buffer.concat(received)), sha(data));
});

test("net API: allowHalfOpen false (default) ends our side after the peer's FIN", { skip }, async () => {
  const { net, server, client } = pair(3);
  let s: Socket | null = null;
  let serverEnded = false;
  server.createServer((x) => {
    s = x;
    x.on("data", () => {});
    x.on("end", () => (serverEnded = true));
  }).listen(7);
  const c = client.connect(7, "198.18.0.1");
  const got = collect(c);
  c.end("bye");
  await until(net, () => got.closed && s !== null && s.destroyed, "both closed");
  assert.ok(serverEnded);
  assert.ok(got.ended, "the server's automatic end() reached the client as EOF");
  assert.equal(got.hadError, false);
});

test("net API: allowHalfOpen true keeps the writable side open after the peer's FIN", { skip }, async () => {
  const { net, server, client } = pair(4);
  let s: Socket | null = null;
  server.createServer({ allowHalfOpen: true }, (x) => {
    s = x;
    let n = 0;
    x.on("data", (d: Buffer) => (n += d.length));
    x.on("end", () => {
      // the peer is done sending; we still answer, later
      net.clock.after(500, () => x.end(`got ${n} bytes after your FIN`));
    });
  }).listen(7);
  const c = client.connect({ host: "198.18.0.1", port: 7, allowHalfOpen: true });
  const got = collect(c);
  c.end(Buffer.alloc(1000, 1));
  await until(net, () => c.writableFinished, "client FIN");
  await until(net, () => got.ended, "server's late reply and FIN", 10_000);
  assert.equal(got.bytes().toString(), "got 1000 bytes after your FIN");
  await until(net, () => got.closed && s!.destroyed, "closed");
});

test("net API: errors carry Node's codes (ECONNREFUSED, ECONNRESET, EADDRINUSE, ETIMEDOUT, EMFILE)", { skip }, async () => {
  const { net, server, client } = pair(5, { profile: "tiny" });
  // ECONNREFUSED: nobody listens
  const r = client.connect(4444, "198.18.0.1");
  const rs = collect(r);
  await until(net, () => rs.closed, "refused");
  assert.equal(rs.error?.code, "ECONNREFUSED");
  assert.equal(rs.error?.errno, -111);
  assert.equal(rs.error?.syscall, "connect");
  assert.equal(rs.error?.message, "connect ECONNREFUSED 198.18.0.1:4444");
  assert.equal(rs.hadError, true);
  // EADDRINUSE: a second server on the same port
  server.createServer(() => {}).listen(7);
  let lerr: NodeJS.ErrnoException | null = null;
  server.createServer(() => {}).listen(7).on("error", (e: NodeJS.ErrnoException) => (lerr = e));
  await until(net, () => lerr !== null, "EADDRINUSE");
  assert.equal(lerr!.code, "EADDRINUSE");
  assert.equal(lerr!.syscall, "listen");
  // ECONNRESET: the server resets (SO_LINGER 0)
  let victim: Socket | null = null;
  server.createServer((s) => (victim = s)).listen(8);
  const v = client.connect(8, "198.18.0.1");
  const vs = collect(v);
  await until(net, () => victim !== null && !v.connecting, "connected");
  victim!.resetAndDestroy();
  await until(net, () => vs.closed, "reset seen");
  assert.equal(vs.error?.code, "ECONNRESET");
  assert.equal(vs.error?.syscall, "read");
  // EMFILE: the tiny profile has 4 connection slots
  const many: Socket[] = [];
  const errs: string[] = [];
  for (let i = 0; i < 6; i++) {
    const s = client.connect(7, "198.18.0.1");
    s.on("error", (e: NodeJS.ErrnoException) => errs.push(e.code!));
    many.push(s);
  }
  await until(net, () => errs.length >= 1, "table full");
  assert.ok(errs.includes("EMFILE"), `EMFILE for a full connection table (got ${errs})`);
  for (const s of many) s.destroy();
  // EHOSTUNREACH: nobody answers ARP for 198.18.0.99 (RFC 1122 4.2.3.9: the core gives up when
  // resolution has failed twice, at the third SYN)
  const t = client.connect(7, "198.18.0.99");
  const ts = collect(t);
  await until(net, () => ts.closed, "EHOSTUNREACH", 600_000);
  assert.equal(ts.error?.code, "EHOSTUNREACH");
  // a non-literal host: no resolver in the core
  const h = client.connect(7, "example.invalid");
  const hs = collect(h);
  await until(net, () => hs.closed, "ENOTFOUND");
  assert.equal(hs.error?.code, "ENOTFOUND");
});

test("net API: setTimeout emits 'timeout' after idle virtual time; setNoDelay/setKeepAlive reach the core", { skip }, async () => {
  const { net, server, client } = pair(6);
  server.createServer((s) => s.on("data", () => {})).listen(7);
  const c = client.connect(7, "198.18.0.1");
  await until(net, () => !c.connecting, "connect");
  assert.equal(c.setNoDelay(true), c);
  assert.equal(c.setKeepAlive(true, 30_000), c);
  let fired = 0;
  const t0 = net.now;
  c.setTimeout(5000, () => fired++);
  net.clock.after(3000, () => c.write("activity"));
  await until(net, () => fired > 0, "timeout", 20_000);
  assert.ok(net.now - t0 >= 8000, `idle timer restarted by activity (fired at +${net.now - t0} ms)`);
  assert.equal(c.destroyed, false, "'timeout' does not close the socket");
  c.setTimeout(0);
  c.destroy();
  await until(net, () => c.destroyed, "destroyed");
});

test("net API: Node's own http.Server serves over Petrel sockets, and http.request runs over one", { skip }, async () => {
  const { net, server, client } = pair(7);
  const httpServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      res.setHeader("content-type", "text/plain");
      res.end(`${req.method} ${req.url} ${body.length} via ${req.socket.remoteAddress}\n`);
    });
  });
  server.createServer((s) => httpServer.emit("connection", s)).listen(80);
  let status = 0;
  let text = "";
  let done = false;
  const req = http.request(
    { method: "POST", path: "/hello", headers: { connection: "close" }, createConnection: () => client.connect(80, "198.18.0.1") as unknown as import("node:net").Socket },
    (res) => {
      status = res.statusCode ?? 0;
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => (done = true));
    },
  );
  req.end("x".repeat(5000));
  await until(net, () => done, "http response", 30_000);
  assert.equal(status, 200);
  assert.equal(text, "POST /hello 5000 via 198.18.0.2\n");
  httpServer.close();
});

test("net API: 20 concurrent connections through a server, then server.close() emits 'close' when they are gone", { skip }, async () => {
  const { net, server, client } = pair(8, { profile: "server" }); // 20 slots per side
  const srv = server.createServer((s) => s.pipe(s)).listen(7);
  const results: string[] = [];
  for (let i = 0; i < 20; i++) {
    const c = client.connect(7, "198.18.0.1");
    const got = collect(c);
    c.end(`hello ${i}`);
    c.on("close", () => results[i] = got.bytes().toString());
  }
  await until(net, () => results.filter(Boolean).length === 20, "20 echoes");
  results.forEach((r, i) => assert.equal(r, `hello ${i}`));
  let closed = false;
  srv.close(() => (closed = true));
  await until(net, () => closed, "server close");
  assert.equal(srv.listening, false);
});

test("net API: setKeepAlive(true, ms) probes an idle socket after ms; setUserTimeout(ms) fails a socket whose peer went silent with ETIMEDOUT", { skip }, async () => {
  const net = new SimNet({ seed: 9, capture: false, traceStates: false });
  let silent = false;
  const a = PetrelStack.over(net.host({ name: "server", ip: "198.18.0.1", fault: { drop: () => silent } }));
  const b = PetrelStack.over(net.host({ name: "client", ip: "198.18.0.2" }));
  a.createServer((s) => s.on("data", () => {})).listen(7);
  const c = b.connect({ port: 7, host: "198.18.0.1", keepAlive: true, keepAliveInitialDelay: 30_000 });
  const st = collect(c);
  await until(net, () => !c.connecting, "connect");
  const t0 = net.now;
  await until(net, () => b.stack.counters().TCP_KEEPALIVE_PROBES > 0, "first keepalive probe", 60_000);
  assert.ok(Math.abs(net.now - t0 - 30_000) < 5, `probed after ${net.now - t0} ms of idle`);
  assert.equal(c.setUserTimeout(10_000), c);
  silent = true;                                            // the server (and its ACKs) vanish
  c.write("anyone there?");
  const t1 = net.now;
  await until(net, () => st.closed, "user timeout", 60_000);
  assert.equal(st.error?.code, "ETIMEDOUT");
  assert.ok(Math.abs(net.now - t1 - 10_000) < 5, `failed after ${net.now - t1} ms`);
});

test("net API: setKeepAlive(true) without a delay probes after 2 hours of idle (RFC 9293 3.8.4, MUST-28)", { skip }, async () => {
  const { net, server, client } = pair(10);
  server.createServer((s) => s.on("data", () => {})).listen(7);
  const c = client.connect(7, "198.18.0.1");
  await until(net, () => !c.connecting, "connect");
  c.setKeepAlive(true);
  const t0 = net.now;
  await until(net, () => client.stack.counters().TCP_KEEPALIVE_PROBES > 0, "first probe", 3 * 3_600_000);
  assert.ok(Math.abs(net.now - t0 - 7_200_000) < 5, `first probe after ${net.now - t0} ms`);
  c.destroy();
});

test("net API: negative, NaN or non-numeric timeouts are refused with Node's error codes, nothing scheduled", { skip }, async () => {
  const { net, server, client } = pair(12);
  const srv = server.createServer((s) => s.resume());
  srv.listen(7);
  const s = client.connect({ host: "198.18.0.1", port: 7 });
  s.on("error", () => {});
  await until(net, () => !s.connecting, "connect");
  for (const bad of [-1, NaN, Infinity, 2 ** 31]) {
    assert.throws(() => s.setTimeout(bad), { code: "ERR_OUT_OF_RANGE" }, `setTimeout(${bad})`);
    assert.throws(() => s.setUserTimeout(bad), { code: "ERR_OUT_OF_RANGE" }, `setUserTimeout(${bad})`);
    assert.throws(() => s.setKeepAlive(true, bad), { code: "ERR_OUT_OF_RANGE" }, `setKeepAlive(true, ${bad})`);
    assert.throws(() => client.connect({ host: "198.18.0.1", port: 7, timeout: bad }), { code: "ERR_OUT_OF_RANGE" }, `connect({ timeout: ${bad} })`);
    assert.throws(() => server.createServer({ keepAlive: true, keepAliveInitialDelay: bad }), { code: "ERR_OUT_OF_RANGE" });
    await assert.rejects(client.close(bad), { code: "ERR_OUT_OF_RANGE" }, `close(${bad})`);
  }
  assert.throws(() => s.setTimeout("5" as unknown as number), { code: "ERR_INVALID_ARG_TYPE" });
  assert.equal(s.timeout, 0, "the bad values changed nothing");
  assert.equal(client.sockets.length, 1, "no socket was made by a refused connect");
  s.setTimeout(0);
  s.destroy();
  await until(net, () => client.sockets.length === 0, "closed");
});

test("listen(0) takes a port of the dynamic range from the stack's seed: the same seed, the same port (a replayable run)", { skip }, async () => {
  const portFor = async (seed: number): Promise<number[]> => {
    const { net, server } = pair(seed);
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const srv = server.createServer();
      let up = false;
      srv.listen(0, () => (up = true));
      await until(net, () => up, "listening");
      ports.push((srv.address() as { port: number }).port);
    }
    return ports;
  };
  const a = await portFor(7), b = await portFor(7), c = await portFor(8);
  assert.deepEqual(a, b, "the same seed gives the same ports");
  assert.notDeepEqual(a, c, "another seed, other ports");
  for (const p of [...a, ...c]) assert.ok(p >= 49152 && p <= 65535, `${p} is in 49152–65535`);
  assert.equal(new Set(a).size, 3, "three listeners, three ports");
});
