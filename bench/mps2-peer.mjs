// The kernel-side client of bench/mps2.ts for the per-connection cost: `n` connections one after
// another, each connects, sends `size` bytes, half-closes, reads the echo to the end and closes.
// Run inside the bench's namespace: node mps2-peer.mjs '{"host":…,"port":7,"n":50,"size":64}'.
// Prints one {"result":…} line; bounded by timeoutMs.
import net from "node:net";

const a = JSON.parse(process.argv[2] ?? "{}");
const payload = Buffer.alloc(a.size ?? 64, 0x61);
const finish = (result) => {
  process.stdout.write(JSON.stringify({ result }) + "\n");
  process.exit(0);
};
setTimeout(() => finish({ error: `TIMEOUT after ${a.timeoutMs ?? 120000} ms` }), a.timeoutMs ?? 120_000).unref();
let i = 0, ok = 0;
const one = () => {
  if (i++ >= a.n) return finish({ ok });
  let got = 0;
  const s = net.connect({ host: a.host, port: a.port, allowHalfOpen: true }, () => s.end(payload));
  s.on("data", (d) => (got += d.length));
  s.on("error", (e) => finish({ error: e.code ?? e.message, ok }));
  s.on("end", () => s.destroy());
  s.on("close", () => { if (got === payload.length) ok++; one(); });
};
one();
