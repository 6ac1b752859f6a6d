// `node --cpu-prof --import tsx bench/tap-profile.ts MODE [N]`: Petrel on Node (server profile) on a
// TAP inside a namespace, driven by one of bench:tap's clients (MODE: send = kernel → discard,
// recv = chargen → kernel, echo-rtt, connect-close), so a CPU profile (or strace -c -f) of this
// process shows where Node spends one kind of work. Prints the client's result as JSON.
import { startServices } from "../host/apps/services.ts";
import { PETREL_IP, TapNetns } from "../tests/support/netns.ts";

const mode = process.argv[2] ?? "send";
const n = Number(process.argv[3] ?? 0);
const MB = 1 << 20;
const args: Record<string, Record<string, unknown>> = {
  send: { host: PETREL_IP, port: 9, bytes: (n || 100) * MB },
  recv: { host: PETREL_IP, port: 19, bytes: (n || 100) * MB },
  "echo-rtt": { host: PETREL_IP, port: 7, size: 64, n: n || 2000 },
  "connect-close": { host: PETREL_IP, port: 9, n: n || 2000 },
};
if (!args[mode]) throw new Error(`mode: one of ${Object.keys(args).join(", ")}`);
const env = TapNetns.create("prof", { capture: false });
try {
  startServices(env.petrel, ["echo", "discard", "chargen"]);
  const t0 = process.cpuUsage();
  const r = await env.peer(mode, args[mode]!, 300_000).result;
  const cpu = process.cpuUsage(t0);
  const { times, ...rest } = r as Record<string, unknown>;
  const sorted = Array.isArray(times) ? (times as number[]).sort((a, b) => a - b) : [];
  const q = (x: number): number | undefined => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))];
  console.log(JSON.stringify({ mode, ...rest, medianMs: q(0.5), p99Ms: q(0.99), cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, tap: env.link.stats }));
} finally {
  await env.close();
  env.removeCapture();
}
