// The kernel-side peer of the interop tests: Node's own net/http, run inside the test's network
// namespace (`ip netns exec NS node kernel.mjs MODE 'JSON args'`). Prints JSON lines on stdout:
// {"event":"listening"} for server modes once bound, then exactly one {"result":…}. Every wait is
// bounded by args.timeoutMs (default 60 s): on expiry it prints {"result":{"error":"TIMEOUT…"}}.
import { createHash } from "node:crypto";
import dgram from "node:dgram";
import { writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { BLOCK, writeBytes } from "../../support/peer-stream.mjs";
import { udpClosedClient, udpEchoClient } from "../../support/peer-udp.mjs";

const [mode, json] = process.argv.slice(2);
const a = JSON.parse(json ?? "{}");
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
let finished = false;
const finish = (result) => {
  if (finished) return;
  finished = true;
  out({ result });
  setTimeout(() => process.exit(0), 50).unref();
};
setTimeout(() => finish({ error: `TIMEOUT after ${a.timeoutMs ?? 60000} ms in ${mode}` }), a.timeoutMs ?? 60_000).unref();
const t0 = performance.now();
const ms = () => performance.now() - t0;
const sha = () => createHash("sha256");

const modes = {
  // node:dgram (tests/support/peer-udp.mjs): seeded datagrams echoed byte-exact; a closed port
  "udp-echo": () => udpEchoClient(a, finish, ms),
  "udp-closed": () => udpClosedClient(a, finish, ms),
  // connect, send `bytes`, half-close, read everything back (echo)
  "echo-client": () => {
    const hs = sha(), hr = sha();
    let recv = 0;
    const s = net.connect({ host: a.host, port: a.port, allowHalfOpen: true }, () => writeBytes(s, a.bytes, hs, () => s.end()));
    s.on("data", (d) => { recv += d.length; hr.update(d); });
    s.on("end", () => finish({ sent: a.bytes, received: recv, shaSent: hs.digest("hex"), shaRecv: hr.digest("hex"), ms: ms() }));
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // connect, send `bytes`, close, wait for the peer's FIN
  send: () => {
    const s = net.connect({ host: a.host, port: a.port }, () => writeBytes(s, a.bytes, null, () => s.end()));
    s.resume();
    s.on("close", (hadError) => finish({ sent: a.bytes, ms: ms(), hadError }));
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // connect, read `bytes` into args.file, then close
  recv: () => {
    const chunks = [];
    let n = 0;
    let tConnect = 0;
    const s = net.connect({ host: a.host, port: a.port }, () => (tConnect = ms()));
    s.on("data", (d) => {
      chunks.push(d);
      n += d.length;
      if (n >= a.bytes) {
        const elapsed = ms() - tConnect;
        if (a.file) writeFileSync(a.file, Buffer.concat(chunks).subarray(0, a.bytes));
        s.destroy();
        finish({ received: n, ms: elapsed });
      }
    });
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // listen; one connection: send `bytes` and half-close while reading everything until EOF
  "server-both": () => {
    const srv = net.createServer({ allowHalfOpen: true }, (s) => {
      const hs = sha(), hr = sha();
      let recv = 0, sentDone = false, ended = false;
      const check = () => { if (sentDone && ended) { s.end(); finish({ received: recv, shaSent: hs.digest("hex"), shaRecv: hr.digest("hex"), ms: ms() }); } };
      s.on("data", (d) => { recv += d.length; hr.update(d); });
      s.on("end", () => { ended = true; check(); });
      s.on("error", (e) => finish({ error: e.code ?? e.message }));
      writeBytes(s, a.bytes, hs, () => { s.end(); sentDone = true; check(); });
    });
    srv.listen(a.port, a.host, () => out({ event: "listening" }));
  },
  // an echo server (for Petrel-client connection tests)
  "echo-server": () => {
    let conns = 0;
    const srv = net.createServer((s) => { conns++; s.pipe(s); s.on("error", () => {}); });
    srv.listen(a.port, a.host, () => out({ event: "listening" }));
    process.stdin.on("data", () => finish({ connections: conns })); // any line on stdin: report and exit
  },
  // a UDP receiver: bound to a.host:a.port, reports the first a.n datagrams (as text) in arrival order
  "udp-sink": () => {
    const got = [];
    const s = dgram.createSocket("udp4");
    s.on("message", (m) => { got.push(m.toString()); if (got.length === a.n) finish({ got }); });
    s.on("error", (e) => finish({ error: e.code ?? e.message, got }));
    s.bind(a.port, a.host, () => out({ event: "listening" }));
  },
  // discard (reads everything) and chargen-like (sends a repeating block until the peer closes) servers
  "discard-server": () => {
    const srv = net.createServer((s) => { s.resume(); s.on("error", () => {}); });
    srv.listen(a.port, a.host, () => out({ event: "listening" }));
    process.stdin.on("data", () => finish({ ok: true }));
  },
  "source-server": () => {
    const srv = net.createServer((s) => {
      s.on("error", () => {});
      s.resume();
      const pump = () => { while (!s.destroyed && s.write(BLOCK.subarray(0, 65536))); };
      s.on("drain", pump);
      pump();
    });
    srv.listen(a.port, a.host, () => out({ event: "listening" }));
    process.stdin.on("data", () => finish({ ok: true }));
  },
  // n connections, `concurrency` at a time, each sends a line and expects it echoed
  "connect-many": () => {
    let next = 0, ok = 0, failed = [], active = 0;
    const one = (i) => {
      active++;
      const msg = `hello ${i}\n`;
      let got = "";
      const s = net.connect({ host: a.host, port: a.port }, () => s.end(msg));
      s.setEncoding("utf8");
      s.on("data", (d) => (got += d));
      s.on("error", (e) => failed.push(`${i}: ${e.code}`));
      s.on("close", () => {
        active--;
        if (got === msg) ok++; else if (!failed.some((f) => f.startsWith(`${i}:`))) failed.push(`${i}: got ${JSON.stringify(got)}`);
        launch();
      });
    };
    const launch = () => {
      while (active < a.concurrency && next < a.n) one(next++);
      if (active === 0 && next >= a.n) finish({ ok, failed, ms: ms() });
    };
    launch();
  },
  // `conns` connections at once, each sending `size` bytes and waiting for them to come back,
  // `rounds` times, then closing: the time until the last one is done
  "echo-concurrent": () => {
    const msg = Buffer.alloc(a.size, 0x62);
    let done = 0;
    const failed = [];
    for (let k = 0; k < a.conns; k++) {
      let round = 0, got = 0;
      const s = net.connect({ host: a.host, port: a.port, noDelay: true }, () => s.write(msg));
      s.on("data", (d) => {
        got += d.length;
        if (got < msg.length) return;
        got -= msg.length;
        if (++round < a.rounds) s.write(msg);
        else s.end();
      });
      s.on("error", (e) => failed.push(`${k}: ${e.code}`));
      s.on("close", () => {
        if (round < a.rounds && !failed.some((f) => f.startsWith(`${k}:`))) failed.push(`${k}: closed after ${round} rounds`);
        if (++done === a.conns) finish({ ok: a.conns - failed.length, failed, ms: ms() });
      });
    }
  },
  // `n` connections one after another, each closed (FIN) as soon as it is established and the next
  // started at once, without waiting for the server's close: what `for …: s = socket(); s.connect();
  // s.close()` does (the server finishes its side while the client has moved on)
  "connect-close": () => {
    let ok = 0, i = 0;
    const failed = [];
    const next = () => {
      if (i >= a.n) return finish({ ok, failed, ms: ms() });
      const k = i++;
      const s = net.connect({ host: a.host, port: a.port }, () => {
        ok++;
        s.destroy();
        next();
      });
      s.on("error", (e) => { failed.push(`${k}: ${e.code}`); next(); });
    };
    next();
  },
  // connect with SO_KEEPALIVE (idle `idleMs`), stay idle for `holdMs`, then one echoed line
  "keepalive-client": () => {
    const s = net.connect({ host: a.host, port: a.port, keepAlive: true, keepAliveInitialDelay: a.idleMs }, () => {
      setTimeout(() => s.write("still there\n"), a.holdMs);
    });
    let got = "";
    s.setEncoding("utf8");
    s.on("data", (d) => { got += d; if (got.endsWith("\n")) { s.destroy(); finish({ echoed: got, ms: ms() }); } });
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // connect and report the error (expected: ECONNREFUSED)
  connect: () => {
    const s = net.connect({ host: a.host, port: a.port }, () => { s.destroy(); finish({ connected: true }); });
    s.on("error", (e) => finish({ error: e.code }));
  },
  // connect, wait until data arrives (or `afterMs`), then abort with RST
  "connect-reset": () => {
    const s = net.connect({ host: a.host, port: a.port }, () => {
      s.write("about to reset\n");
      setTimeout(() => { s.resetAndDestroy(); finish({ reset: true }); }, a.afterMs ?? 200);
    });
    s.on("error", (e) => finish({ error: e.code }));
  },
  // listen, accept one connection, report how it ended (expected: ECONNRESET)
  "server-await-error": () => {
    const srv = net.createServer((s) => {
      s.resume();
      s.on("error", (e) => finish({ error: e.code }));
      s.on("close", (hadError) => setTimeout(() => finish({ closed: true, hadError }), 100));
    });
    srv.listen(a.port, a.host, () => out({ event: "listening" }));
  },
  // round trips of `size` bytes on one connection to an echo server
  "echo-rtt": () => {
    const msg = Buffer.alloc(a.size ?? 64, 0x61);
    const times = [];
    let got = 0, tSend = 0;
    const s = net.connect({ host: a.host, port: a.port, noDelay: true }, () => { tSend = performance.now(); s.write(msg); });
    s.on("data", (d) => {
      got += d.length;
      if (got < msg.length) return;
      got = 0;
      times.push(performance.now() - tSend);
      if (times.length >= a.n) { s.destroy(); return finish({ times }); }
      tSend = performance.now();
      s.write(msg);
    });
    s.on("error", (e) => finish({ error: e.code }));
  },
  "http-get": () => {
    http.get(a.url, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => finish({ status: res.statusCode, headers: res.headers, body }));
    }).on("error", (e) => finish({ error: e.code ?? e.message }));
  },
};

if (!modes[mode]) {
  finish({ error: `unknown mode ${mode}; modes: ${Object.keys(modes).join(", ")}` });
} else modes[mode]();
