// The seeds' services over the net-compatible API: echo (RFC 862, port 7, TCP and UDP), discard (RFC 863, 9),
// chargen (RFC 864, 19) and a status page (80) served by Node's own http.Server through its
// 'connection' event — no hand-written HTTP parser.
import http from "node:http";
import type { DgramSocket } from "../node/dgram.ts";
import type { PetrelStack, Server, Socket } from "../node/net.ts";
import { leaseBlock, leaseJson } from "./lease.ts";

export const SERVICE_PORTS = { echo: 7, discard: 9, chargen: 19, http: 80 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

/** RFC 864 line `i` (0-based): 72 printable ASCII characters starting at ' ' + (i mod 95), then CRLF. */
export function chargenLine(i: number): string {
  let s = "";
  for (let k = 0; k < 72; k++) s += String.fromCharCode(32 + ((i + k) % 95));
  return s + "\r\n";
}

/** One full cycle of the pattern (95 lines, 7 030 bytes); the stream is this block repeated. */
export const CHARGEN_BLOCK: Buffer = Buffer.from(Array.from({ length: 95 }, (_, i) => chargenLine(i)).join(""), "latin1");

/** Nine cycles (63 270 bytes) written at once: one write per send ring's worth, not nine (each write
 *  is a trip through the stream and the core). */
const CHARGEN_WRITE: Buffer = Buffer.concat(Array.from({ length: 9 }, () => CHARGEN_BLOCK));

/** Index of the first byte of `data` that differs from the chargen stream, or -1 when it matches. */
export function chargenMismatch(data: Uint8Array): number {
  const n = CHARGEN_BLOCK.length;
  for (let i = 0; i < data.length; i++) if (data[i] !== CHARGEN_BLOCK[i % n]) return i;
  return -1;
}

export function echo(s: Socket): void {
  s.on("error", () => {});
  s.pipe(s);
}

/** RFC 862 over UDP: every datagram goes back to its sender, whole — except to a source port below
 *  1024 (another echo or chargen service would bounce it back for ever). */
export function udpEcho(petrel: PetrelStack, port: number = SERVICE_PORTS.echo): DgramSocket {
  const u = petrel.createSocket("udp4");
  u.on("message", (msg, r) => {
    if (r.port >= 1024) u.send(msg, r.port, r.address);
  });
  u.on("error", () => {}); // ICMP errors for earlier answers: nothing to do
  u.bind(port);
  return u;
}

export function discard(s: Socket): void {
  s.on("error", () => {});
  s.resume();
}

/** Send the pattern for as long as the peer reads (with backpressure); stop when it closes. */
export function chargen(s: Socket): void {
  s.on("error", () => {});
  s.resume(); // input is ignored
  const pump = (): void => {
    for (let i = 0; i < 1024 && !s.destroyed && s.writable; i++) if (!s.write(CHARGEN_WRITE)) return;
  };
  s.on("drain", pump);
  pump();
}

/** A plain-text status page: stack, link and core counters, and the connection table with states. */
export function statusText(petrel: PetrelStack, extra: Record<string, unknown> = {}): string {
  const st = petrel.stack;
  const lines = [`petrel ${petrel.ip}/${petrel.prefix || "?"} mac ${petrel.mac}`, ""];
  const lease = petrel.dhcp();
  if (lease) lines.push(...leaseBlock(lease), "");
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  if (Object.keys(extra).length) lines.push("");
  lines.push("connections (local, remote, state, rx/tx queued):");
  for (const c of st.connections()) {
    const i = c.info();
    lines.push(`  ${c.local.padEnd(22)} ${c.remote.padEnd(22)} ${c.state.padEnd(12)} ${i ? `${i.rxQueued}/${i.txQueued}` : ""}`);
  }
  lines.push(`  (${st.core.connections()} slots in use, TIME-WAIT and orphans included)`, "", "servers:");
  for (const s of petrel.servers) lines.push(`  ${s.address()?.port}`);
  lines.push("", "counters:");
  for (const [k, v] of Object.entries(st.core.counters())) lines.push(`  ${k.padEnd(28)} ${v}`);
  return lines.join("\n") + "\n";
}

/** Node's http.Server fed with Petrel sockets: / (text) and /status.json. */
export function statusHttpServer(petrel: PetrelStack, extra: () => Record<string, unknown> = () => ({})): http.Server {
  return http.createServer((req, res) => {
    if (req.url === "/status.json") {
      const conns = petrel.stack.connections().map((c) => ({ local: c.local, remote: c.remote, state: c.state }));
      res.setHeader("content-type", "application/json");
      const lease = petrel.dhcp();
      res.end(JSON.stringify({ ip: petrel.ip, ...(lease ? { dhcp: leaseJson(lease) } : {}), ...extra(), connections: conns, counters: petrel.stack.core.counters() }, null, 2) + "\n");
      return;
    }
    if (req.url !== "/" && req.url !== "/status") {
      res.statusCode = 404;
      res.end("not found\n");
      return;
    }
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.end(statusText(petrel, extra()));
  });
}

/** Start the named services; returns their servers (listening, or emitting 'error' e.g. EADDRINUSE). */
export function startServices(petrel: PetrelStack, names: ServiceName[], o: { extra?: () => Record<string, unknown>; onError?: (name: ServiceName, e: Error) => void } = {}): Map<ServiceName, Server> {
  const out = new Map<ServiceName, Server>();
  for (const name of names) {
    let srv: Server;
    if (name === "http") {
      const hs = statusHttpServer(petrel, o.extra);
      srv = petrel.createServer((s) => hs.emit("connection", s));
      srv.on("close", () => hs.close());
    } else srv = petrel.createServer({ noDelay: name === "echo" }, name === "echo" ? echo : name === "discard" ? discard : chargen);
    if (name === "echo") {
      // echo serves UDP too (RFC 862), and stops with the TCP server
      const u = udpEcho(petrel);
      srv.once("close", () => u.closed || u.close());
    }
    srv.on("error", (e: Error) => (o.onError ? o.onError(name, e) : undefined));
    srv.listen(SERVICE_PORTS[name]);
    out.set(name, srv);
  }
  return out;
}
