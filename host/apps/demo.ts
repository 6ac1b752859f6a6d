// Petrel demo: two simulated hosts on one virtual Ethernet switch.
//
//   server 198.18.0.1   runs the echo (TCP port 7, RFC 862) and discard (TCP port 9, RFC 863) services
//   client 198.18.0.2   talks to both
//
// Everything runs on a virtual clock: the run is instant and the same every time. The trace below
// reads like a tcpdump capture in a textbook, with each connection's state changes interleaved;
// the same frames are written to out/demo.pcap for Wireshark or `tcpdump -nr out/demo.pcap`.
// Run it with `npm start`.
import { writeOutput } from "../node/files.ts";
import { SimNet } from "../sim/sim.ts";
import type { Conn } from "../stack/stack.ts";

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// ── the network ────────────────────────────────────────────────────────────────────────────
const net = new SimNet({ seed: 2024, onLine: (line) => console.log(line) });
const server = net.host({ name: "server", ip: "198.18.0.1" });
const client = net.host({ name: "client", ip: "198.18.0.2" });

// ── the server's services ──────────────────────────────────────────────────────────────────
// echo: send back everything received; when the client finishes sending (FIN), finish too.
server.listen(7, 4, (conn: Conn) => {
  conn.on("data", (chunk) => conn.write(chunk));
  conn.on("end", () => conn.close());
});
// discard: read and throw away everything; close when the client does.
let discarded = 0;
server.listen(9, 4, (conn: Conn) => {
  conn.on("data", (chunk) => (discarded += chunk.length));
  conn.on("end", () => conn.close());
});

// ── 1. echo ────────────────────────────────────────────────────────────────────────────────
console.log("# client connects to echo (port 7), sends a line, reads the echo, half-closes, closes\n");
const echo = client.connect("198.18.0.1", 7);
let echoed = "";
echo.on("data", (chunk) => (echoed += text(chunk)));
net.runUntil(() => echo.connected, { what: "echo connected", maxVirtualMs: 10_000 });

const line = "Hello, Petrel!\n";
echo.write(line);
net.runUntil(() => echoed.length >= line.length, { what: "echo reply", maxVirtualMs: 10_000 });
console.log(`\n# client read back ${JSON.stringify(echoed)}\n`);

echo.shutdown(); // our FIN: we will send nothing more, but keep reading
net.runUntil(() => echo.ended, { what: "server's FIN", maxVirtualMs: 10_000 });
console.log("\n# client saw the server's FIN (end of stream) and closes\n");
echo.close();
net.run(100);

// ── 2. discard ─────────────────────────────────────────────────────────────────────────────
console.log("\n# client connects to discard (port 9), sends 3000 bytes, closes\n");
const discard = client.connect("198.18.0.1", 9);
net.runUntil(() => discard.connected, { what: "discard connected", maxVirtualMs: 10_000 });
discard.write(new Uint8Array(3000).fill(0x61));
discard.close(); // FIN once the data is in the send ring; the core finishes the close alone
net.runUntil(() => discarded === 3000 && discard.closed, { what: "discard done", maxVirtualMs: 600_000 });

// let TIME_WAIT (2 MSL) run out, so every connection ends in CLOSED
net.runUntilIdle({ maxVirtualMs: 600_000 });

// ── results ────────────────────────────────────────────────────────────────────────────────
console.log(`\n# discard service received ${discarded} bytes`);
console.log(`# virtual time: ${(net.now / 1000).toFixed(3)} s`);
console.log("# echo connection (client side):", echo.states.join(" -> "));
console.log("# discard connection (client side):", discard.states.join(" -> "));
const pcap = writeOutput("out/demo.pcap", net.pcap.bytes());
console.log(`\n# ${net.pcap.frames} frames written to ${pcap} (open with: tcpdump -nr ${pcap})`);
for (const s of [client, server]) {
  console.log(`\n# ${s.name} counters (non-zero):`);
  for (const [name, v] of Object.entries(s.core.nonZeroCounters())) console.log(`  ${name.padEnd(22)} ${v}`);
}
