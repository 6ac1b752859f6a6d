// `npm run bench:flood`: the SYN-flood matrix (RFC 4987), one method for every server: forged SYNs
// from 198.18.1.1 … 198.18.3.254 (addresses that never answer ARP) written into a bridge as fast as a
// TAP takes them for 10 s (tests/support/flood.ts), while a kernel-side client connects every
// 100 ms (tests/boards/peer.mjs probe, each attempt abandoned after 3.5 s). Servers: Petrel native
// (build/linux/petrel-linux), Petrel on Node (`petrel serve`), and Linux itself in a second
// namespace behind a veth on the same bridge, with net.ipv4.tcp_syncookies=1 and =0. Reported per
// server: the flood's rate, connects during the flood that got in within 1 s and at all, and the
// time from the flood's end to the first connect that got in after it; for Petrel's two hosts also the
// CPU time the server process spent per forged SYN it took from its queue (user + system time from
// /proc/PID/stat over the flood: a figure that depends less on the machine's load than the rate does).
// Merges the matrix into bench/results.json under "flood". Namespaces: created here, removed at the end.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../host/node/files.ts";
import { Board, Netns, netUnavailable, tapName } from "../tests/boards/support.ts";
import { interopUnavailable } from "../tests/support/netns.ts";
import { attach, flood, FLOOD_PREFIX, FLOOD_SUT_IP, floodBridge, forgedSyns, petrelServe, type ProbeAttempt } from "../tests/support/flood.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" } } });
const FLOOD_MS = values.quick ? 4000 : 10_000;
const AFTER_MS = 3000;
const ECHO = 7;

const why = interopUnavailable() ?? netUnavailable();
if (why) {
  console.error(`bench:flood needs what the flood tests need: ${why}`);
  process.exit(1);
}

interface Row { server: string; floodMs: number; synsPerSecond: number; queueDropped: number; attempts: number; within1s: number; connected: number; firstAfterMs: number | null; cpuUsPerSyn?: number; loadAvg: number }
interface Started { mac: string; dev: string; stop: () => Promise<void>; /** The server's process (Petrel's hosts), for its CPU time. */ pid?: number }

/** User + system CPU time of process `pid` so far, in ms (/proc/PID/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(f[11]) + Number(f[12])) * 10;
}
const loadAvg = (): number => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);

/** One server: `start` brings it up on br0 and returns its MAC and a stop function. */
async function run(server: string, start: (ns: Netns) => Promise<Started>): Promise<Row> {
  const ns = new Netns("fb");
  let stop: (() => Promise<void>) | undefined;
  let link: ReturnType<typeof floodBridge> | undefined;
  try {
    link = floodBridge(ns);
    const s = await start(ns);
    stop = s.stop;
    const frames = forgedSyns(s.mac, ECHO, 65_536);
    const warm = await ns.peer<{ connected?: boolean }>("connect", { host: FLOOD_SUT_IP, port: ECHO }, 5000);
    if (!warm.connected) throw new Error(`${server}: no connect before the flood: ${JSON.stringify(warm)}`);
    const probeMs = 500 + FLOOD_MS + AFTER_MS;
    const probe = ns.peer<{ attempts: ProbeAttempt[] }>("probe", { host: FLOOD_SUT_IP, port: ECHO, intervalMs: 100, durationMs: probeMs, limitMs: 3500 }, probeMs + 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const load = loadAvg();
    const cpu0 = s.pid === undefined ? 0 : cpuMs(s.pid);
    const f = await flood(link, frames, FLOOD_MS);
    const cpu = s.pid === undefined ? undefined : cpuMs(s.pid) - cpu0;
    const r = await probe;
    if (r.error) throw new Error(`${server}: probe: ${r.error}`);
    const js = JSON.parse(ns.exec(["ip", "-s", "-j", "link", "show", "dev", s.dev]).stdout) as { stats64: { tx: { dropped: number } } }[];
    const during = r.attempts.filter((a) => a.at >= f.start && a.at <= f.end);
    const firstAfter = r.attempts.filter((a) => a.ok).map((a) => a.at + a.ms).filter((t) => t > f.end).sort((a, b) => a - b)[0];
    return {
      server, floodMs: f.end - f.start, synsPerSecond: Math.round(f.sent / ((f.end - f.start) / 1000)), queueDropped: js[0]!.stats64.tx.dropped,
      attempts: during.length, within1s: during.filter((a) => a.ok && a.ms <= 1000).length, connected: during.filter((a) => a.ok).length,
      firstAfterMs: firstAfter === undefined ? null : Math.round(firstAfter - f.end),
      ...(cpu === undefined ? {} : { cpuUsPerSyn: Math.round((cpu * 1000 * 100) / Math.max(1, f.sent - js[0]!.stats64.tx.dropped)) / 100 }),
      loadAvg: load,
    };
  } finally {
    await stop?.();
    link?.close();
    ns.close();
  }
}

/** Linux as the server: a second namespace behind a veth on br0, an echo server in Node, syncookies on or off. */
function linux(cookies: 0 | 1) {
  return async (ns: Netns): Promise<Started> => {
    const srv = new Netns("fbl");
    const dev = tapName("v");
    ns.ip("link", "add", dev, "type", "veth", "peer", "name", "eth0", "netns", srv.name);
    srv.ip("addr", "add", `${FLOOD_SUT_IP}/${FLOOD_PREFIX}`, "dev", "eth0");
    srv.ip("link", "set", "eth0", "up");
    attach(ns, dev);
    const sc = srv.exec(["sysctl", "-qw", `net.ipv4.tcp_syncookies=${cookies}`]);
    if (sc.code !== 0) throw new Error(`sysctl tcp_syncookies: ${sc.stderr}`);
    const mac = (JSON.parse(srv.exec(["ip", "-j", "link", "show", "dev", "eth0"]).stdout) as { address: string }[])[0]!.address;
    const proc: ChildProcess = spawn("ip", ["netns", "exec", srv.name, process.execPath, "-e",
      `require("net").createServer((s) => { s.on("error", () => {}); s.pipe(s); }).listen(${ECHO}, () => console.log("listening")); setTimeout(() => process.exit(0), ${FLOOD_MS + 60_000});`], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error("the Linux echo server did not start")), 10_000);
      proc.stdout!.once("data", () => (clearTimeout(t), res()));
    });
    return { mac, dev, stop: async () => { proc.kill("SIGKILL"); srv.close(); } };
  };
}

const servers: [string, (ns: Netns) => Promise<Started>][] = [
  ["Petrel native (petrel-linux, default profile)", async (ns) => {
    const dev = tapName("s");
    const b = new Board(["--tap", dev, "--ip", `${FLOOD_SUT_IP}/${FLOOD_PREFIX}`, "--services", "echo"], ns.name);
    const ready = await b.ready();
    attach(ns, dev);
    return { mac: ready.mac, dev, stop: async () => void (await b.stop(3000)), pid: b.proc.pid };
  }],
  ["Petrel on Node (petrel serve, server profile)", async (ns) => {
    const dev = tapName("n");
    const s = petrelServe(ns, dev, ["--services", "echo"]);
    const mac = await s.ready;
    attach(ns, dev);
    return { mac, dev, stop: s.stop, pid: s.proc.pid };
  }],
  ["Linux, tcp_syncookies=1", linux(1)],
  ["Linux, tcp_syncookies=0", linux(0)],
];

const rows: Row[] = [];
for (const [name, start] of servers) {
  if (values.only && !name.toLowerCase().includes(values.only.toLowerCase())) continue;
  const row = await run(name, start);
  rows.push(row);
  console.log(`${name}: ${row.synsPerSecond} SYN/s (${row.queueDropped} dropped at its queue); during the flood ${row.within1s}/${row.attempts} connects within 1 s, ${row.connected}/${row.attempts} at all; first success ${row.firstAfterMs ?? "never"} ms after it${row.cpuUsPerSyn === undefined ? "" : `; ${row.cpuUsPerSyn} µs of CPU per SYN taken`} (load ${row.loadAvg})`);
}

if (!values.quick && !values.only) {
  const file = join(ROOT, "bench", "results.json");
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const loads = rows.map((r) => r.loadAvg);
  all.flood = { method: `forged SYNs from 762 silent on-link addresses at the TAP's full rate for ${FLOOD_MS / 1000} s; a kernel-side client connects every 100 ms (each attempt abandoned after 3.5 s); load average ${Math.min(...loads)}–${Math.max(...loads)} when the floods began`, date: new Date().toISOString().slice(0, 10), cpus: spawnSync("nproc", { encoding: "utf8" }).stdout.trim(), rows };
  writeFileSync(file, JSON.stringify(all, null, 2) + "\n");
  console.log(`bench/results.json: "flood" updated`);
}
