// The kernel-side UDP client shared by tests/boards/peer.mjs and tests/interop/peers/kernel.mjs:
// node:dgram inside the test's namespace. Every wait is bounded (3 tries of 1 s per datagram).
import dgram from "node:dgram";

/** xorshift32: the datagram sizes and bytes, from a seed (the same for every run). */
function xorshift(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

/** `a.n` datagrams of 0..1472 bytes (the first two 0 and 1472) to a.host:a.port, one at a time, each
 *  compared byte for byte with its echo; a lost one is sent again (at most 3 tries, 1 s apart).
 *  finish({ ok, retries, ms }) or finish({ ok, error }). */
export function udpEchoClient(a, finish, ms) {
  const rnd = xorshift(a.seed ?? 7);
  const sizes = Array.from({ length: a.n }, (_, i) => (i === 0 ? 0 : i === 1 ? 1472 : rnd(1473)));
  const s = dgram.createSocket("udp4");
  let i = 0, tries = 0, retries = 0, timer = null, want = null, prev = null;
  const next = () => {
    clearTimeout(timer);
    if (i === a.n) { s.close(); return finish({ ok: i, retries, ms: ms() }); }
    if (tries === 0) want = Buffer.from(Array.from({ length: sizes[i] }, () => rnd(256)));
    if (++tries > 3) return finish({ ok: i, error: `datagram ${i} (${sizes[i]} bytes): no echo after 3 tries` });
    if (tries > 1) retries++;
    s.send(want, a.port, a.host);
    timer = setTimeout(next, 1000);
  };
  s.on("message", (m, r) => {
    if (r.address !== a.host || r.port !== a.port) return finish({ ok: i, error: `reply from ${r.address}:${r.port}` });
    if (prev && m.equals(prev) && !m.equals(want)) return; // a late echo of a datagram sent twice
    if (!m.equals(want)) return finish({ ok: i, error: `datagram ${i}: ${m.length} bytes back for ${want.length}, not equal` });
    i++;
    tries = 0;
    prev = want;
    next();
  });
  s.on("error", (e) => finish({ ok: i, error: e.code ?? e.message }));
  next();
}

/** A connected socket to a closed port: the ICMP port unreachable surfaces as ECONNREFUSED
 *  (Linux reports it on the socket's next call: a second datagram follows 300 ms later). */
export function udpClosedClient(a, finish, ms) {
  const s = dgram.createSocket("udp4");
  s.on("error", (e) => { s.close(); finish({ error: e.code ?? e.message, ms: ms() }); });
  s.connect(a.port, a.host, () => {
    s.send("anyone?");
    setTimeout(() => s.send("still?"), 300);
  });
}
