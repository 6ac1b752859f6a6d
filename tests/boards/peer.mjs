// The kernel-side client of the boards tests: Node's net module, run inside the test's network
// namespace (`ip netns exec NS node peer.mjs MODE 'JSON args'`). Prints one JSON line
// {"result":…} and exits. Every wait is bounded by args.timeoutMs (default 60 s).
import { createHash } from "node:crypto";
import net from "node:net";
import { writeBytes } from "../support/peer-stream.mjs";
import { udpClosedClient, udpEchoClient } from "../support/peer-udp.mjs";

const [mode, json] = process.argv.slice(2);
const a = JSON.parse(json ?? "{}");
let finished = false;
const finish = (result) => {
  if (finished) return;
  finished = true;
  process.stdout.write(JSON.stringify({ result }) + "\n");
  setTimeout(() => process.exit(0), 20).unref();
};
setTimeout(() => finish({ error: `TIMEOUT after ${a.timeoutMs ?? 60000} ms in ${mode}` }), a.timeoutMs ?? 60_000).unref();
const t0 = performance.now();
const ms = () => Math.round(performance.now() - t0);

/** RFC 864: line i = 72 characters from ' ' + (i mod 95), CRLF; 95 lines (7030 bytes) repeat. */
const CHARGEN = Buffer.from(Array.from({ length: 95 }, (_, i) => {
  let s = "";
  for (let k = 0; k < 72; k++) s += String.fromCharCode(32 + ((i + k) % 95));
  return s + "\r\n";
}).join(""), "latin1");

const modes = {
  "udp-echo": () => udpEchoClient(a, finish, ms),
  "udp-closed": () => udpClosedClient(a, finish, ms),
  // send `bytes`, half-close, read the echo to EOF; sha256 both ways
  "echo-client": () => {
    const hs = createHash("sha256"), hr = createHash("sha256");
    let received = 0;
    const s = net.connect({ host: a.host, port: a.port, allowHalfOpen: true }, () => writeBytes(s, a.bytes, hs, () => s.end()));
    s.on("data", (d) => { received += d.length; hr.update(d); });
    s.on("end", () => finish({ received, shaSent: hs.digest("hex"), shaRecv: hr.digest("hex"), ms: ms() }));
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // send `bytes`, close, wait for the server's FIN
  send: () => {
    const s = net.connect({ host: a.host, port: a.port }, () => writeBytes(s, a.bytes, null, () => s.end()));
    s.resume();
    s.on("close", (hadError) => finish({ sent: a.bytes, hadError, ms: ms() }));
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // read `bytes` and check them against the RFC 864 pattern
  chargen: () => {
    let n = 0, mismatch = -1;
    const s = net.connect({ host: a.host, port: a.port });
    s.on("data", (d) => {
      for (let i = 0; i < d.length && n + i < a.bytes && mismatch < 0; i++) if (d[i] !== CHARGEN[(n + i) % CHARGEN.length]) mismatch = n + i;
      n += d.length;
      if (n >= a.bytes) { s.destroy(); finish({ received: n, mismatch, ms: ms() }); }
    });
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // connect and report the error (expected: ECONNREFUSED)
  connect: () => {
    const s = net.connect({ host: a.host, port: a.port }, () => { s.destroy(); finish({ connected: true }); });
    s.on("error", (e) => finish({ error: e.code }));
  },
  // n connections at once: each sends `bytes` of the random stream, half-closes and checks the echo (sha256)
  concurrent: () => {
    let done = 0, ok = 0;
    const failed = [];
    for (let i = 0; i < a.n; i++) {
      const hs = createHash("sha256"), hr = createHash("sha256");
      let received = 0, settled = false;
      const settle = (err) => {
        if (settled) return;
        settled = true;
        const shaS = hs.digest("hex"), shaR = hr.digest("hex");
        if (!err && received === a.bytes && shaS === shaR) ok++;
        else failed.push(`#${i}: ${err ?? `received ${received}${shaS === shaR ? "" : ", sha256 differs"}`}`);
        if (++done === a.n) finish({ ok, failed, ms: ms() });
      };
      const s = net.connect({ host: a.host, port: a.port, allowHalfOpen: true }, () => writeBytes(s, a.bytes, hs, () => s.end()));
      s.on("data", (d) => { received += d.length; hr.update(d); });
      s.on("end", () => settle(null));
      s.on("error", (e) => settle(e.code ?? e.message));
    }
  },
  // connect to echo, send `bytes`, wait for the first echoed byte, then abort (RST: SO_LINGER 0)
  reset: () => {
    const s = net.connect({ host: a.host, port: a.port }, () => s.write(Buffer.alloc(a.bytes ?? 1000, 0x61)));
    s.once("data", (d) => {
      s.resetAndDestroy();
      finish({ echoed: d.length, ms: ms() });
    });
    s.on("error", (e) => finish({ error: e.code ?? e.message }));
  },
  // n connections one after the other: each sends a line and expects it echoed
  sequential: () => {
    let i = 0, ok = 0;
    const failed = [];
    const one = () => {
      if (i >= a.n) return finish({ ok, failed, ms: ms() });
      const msg = `hello ${i++}\n`;
      let got = "";
      const s = net.connect({ host: a.host, port: a.port }, () => s.end(msg));
      s.setEncoding("utf8");
      s.on("data", (d) => (got += d));
      s.on("error", (e) => failed.push(`${msg.trim()}: ${e.code}`));
      s.on("close", () => { if (got === msg) ok++; else failed.push(`${msg.trim()}: got ${JSON.stringify(got)}`); one(); });
    };
    one();
  },
  // a connect attempt every `intervalMs` for `durationMs`, each abandoned after `limitMs` (default
  // 1000): the legitimate client of the flood tests. Each attempt: its wall-clock start (Date.now(),
  // comparable with the test's flood window), whether it connected within the limit, and how long it
  // took. With `echo`, an attempt succeeds only once a line it sends comes back (the connection
  // works, e.g. the server kept one opened by a SYN cookie), still within the limit; `ms` is the
  // time to connect and `echoMs` the time to the echo.
  probe: () => {
    const limit = a.limitMs ?? 1000;
    const attempts = [];
    let pending = 0, started = 0;
    const total = Math.floor(a.durationMs / a.intervalMs);
    const one = () => {
      const at = Date.now(), t = performance.now();
      const rec = { at, ok: false, ms: -1, error: "" };
      let connectMs = -1;
      attempts.push(rec);
      pending++;
      let done = false;
      const settle = (ok, error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        rec.ok = ok;
        rec.ms = Math.round((performance.now() - t) * 10) / 10;
        if (a.echo) {
          rec.echoMs = ok ? rec.ms : -1;
          rec.ms = connectMs;
        }
        rec.error = error;
        s.destroy();
        if (--pending === 0 && started >= total) finish({ attempts, ms: ms() });
      };
      const s = net.connect({ host: a.host, port: a.port }, () => {
        connectMs = Math.round((performance.now() - t) * 10) / 10;
        if (!a.echo) return settle(true, "");
        let got = "";
        s.setEncoding("latin1");
        s.on("data", (d) => ((got += d), got.includes("probe\n") && settle(true, "")));
        s.write("probe\n");
      });
      s.on("error", (e) => settle(false, e.code ?? e.message));
      const timer = setTimeout(() => settle(false, connectMs < 0 ? `no connection within ${limit} ms` : `connected in ${connectMs} ms, no echo within ${limit} ms`), limit);
    };
    const tick = setInterval(() => {
      if (started++ >= total) return clearInterval(tick);
      one();
    }, a.intervalMs);
  },
  // n sequential HTTP/1.0 requests (no keep-alive: the server closes first) for `path`; each must
  // answer 200 with a body; stops at the first failure
  "http-churn": () => {
    let i = 0;
    const one = () => {
      if (i >= a.n) return finish({ ok: i, ms: ms() });
      const k = i;
      let got = "";
      const s = net.connect({ host: a.host, port: a.port ?? 80 }, () => s.write(`GET ${a.path ?? "/"} HTTP/1.0\r\nHost: ${a.host}\r\n\r\n`));
      s.setEncoding("latin1");
      s.on("data", (d) => (got += d));
      s.on("error", (e) => finish({ ok: k, error: `request ${k}: ${e.code ?? e.message}`, ms: ms() }));
      s.on("end", () => {
        if (!/^HTTP\/1\.[01] 200 /.test(got) || !got.includes("\r\n\r\n") || got.endsWith("\r\n\r\n")) return finish({ ok: k, error: `request ${k}: ${JSON.stringify(got.slice(0, 80))}`, ms: ms() });
        i++;
        one();
      });
    };
    one();
  },
};

if (!modes[mode]) finish({ error: `unknown mode ${mode}` });
else modes[mode]();
