#!/usr/bin/env node
// The README's measured figures are generated, never typed: each block between
//   <!-- figures:NAME -->  and  <!-- /figures -->
// is rewritten from bench/results.json (what the benchmarks wrote) and build/memory-map.json (what
// `npm run build` laid out). tests/build/readme.test.ts checks that the README equals its
// regeneration, so a figure cannot drift from the file it comes from.
//
//   node scripts/readme.mjs           rewrite README.md in place
//   node scripts/readme.mjs --check   exit 1 when README.md is not up to date
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url).pathname;

/** 12345.6 → "12 346"; digits after the point when asked. */
export function num(x, digits = 0) {
  if (x === undefined || x === null || Number.isNaN(x)) return "—";
  const s = Number(x).toFixed(digits);
  const [int, frac] = s.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, " ");
  return frac ? `${grouped}.${frac}` : grouped;
}
const kib = (b) => (b % 1024 === 0 ? `${num(b / 1024)} KiB` : `${num(b / 1024, 1)} KiB`);
const ratio = (x) => (x === undefined ? "—" : `${num(x, 2)}×`);
const table = (head, rows) => [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

const PROFILES = ["tiny", "default", "server"];
const REGION_NAMES = {
  STATIC: "static data (module)", COUNTERS: "counters", EVENTS: "event ring", IO: "host I/O buffer",
  RX_FRAME: "rx frame", TX_FRAME: "tx frame", ARP: "ARP cache", ARP_PENDING: "frames waiting for ARP",
  LISTENERS: "listeners", TCBS: "connection blocks (TCBs)", RX_RINGS: "receive rings", TX_RINGS: "send rings",
  RANGES: "out-of-order ranges + SACK scoreboard", UDP_SOCKETS: "UDP sockets", UDP_QUEUES: "UDP datagram queues",
  DNS: "DNS queries, servers, message", DNS_CACHE: "DNS cache", DHCP: "DHCP client message",
};

/** Each generator: (results, memoryMap) → markdown, or throws naming what is missing. */
export const generators = {
  memory(_r, map) {
    const regions = [...new Set(PROFILES.flatMap((p) => map[p].regions.map((x) => x.region)))];
    const bytes = (p, name) => map[p].regions.find((x) => x.region === name)?.bytes;
    const rows = regions.map((name) => [REGION_NAMES[name] ?? name, ...PROFILES.map((p) => num(bytes(p, name)))]);
    rows.push(["**used / declared memory**", ...PROFILES.map((p) => `**${num(map[p].usedBytes)} B / ${kib(map[p].memoryBytes)}**`)]);
    rows.push(["**.wasm after wasm-opt -Oz**", ...PROFILES.map((p) => `**${num(map[p].wasmBytes)} B**`)]);
    return table(["region (bytes)", ...PROFILES], rows);
  },

  sim(r) {
    const s = r.sim, t = s.throughput;
    const mb = (x) => (x ? `${num(x.mbPerSec)} MB/s` : "");
    return [
      table(["measure", ...PROFILES], [
        ["bulk throughput, no loss", ...PROFILES.map((p) => mb(t[p]))],
        ["bulk throughput, 1 % loss", "", mb(t.defaultLoss1pct), ""],
        ["frames, one run (both directions)", ...PROFILES.map((p) => (t[p] ? num(t[p].frames) : ""))],
        ["connections per second (open + abort)", "", num(s.connectionsPerSec), ""],
      ]),
      "",
      `Measured ${s.date}, Node ${s.node}, ${s.machine}: ${s.note}.`,
    ].join("\n");
  },

  tap(r) {
    const t = r.tap;
    const cols = [["Petrel on Node", t.petrel], ["Petrel native (boards/linux, wasm2c)", t.boardsLinux], ["native, one frame per write (--tso off)", t.boardsLinuxOneFrame], ["native, default profile", t.boardsLinuxDefaultProfile], ["lwIP 2.1.3", t.lwip], ["kernel ↔ kernel (veth)", t.kernelVeth]];
    const ratios = [["native / lwIP", t.vsLwip?.boardsLinux], ["native --tso off / lwIP", t.vsLwip?.boardsLinuxOneFrame], ["Node / lwIP", t.vsLwip?.petrelOnNode], ["Node / native", t.nodeVsNative]].filter(([, x]) => x);
    // the per-round ratios: their median, lowest and highest (bench:tap stores them since it reports the spread)
    const spreads = [["native / lwIP per round: median (lowest–highest)", t.paired?.nativeVsLwip, t.pairedSpread?.nativeVsLwip],
      ["native --tso off / lwIP per round", t.paired?.nativeOneFrameVsLwip, t.pairedSpread?.nativeOneFrameVsLwip]].filter(([, m, s]) => m && s);
    const spread = (m, s, key) => (m[key] === undefined || !s[key] ? "—" : `${ratio(m[key])} (${num(s[key][0], 2)}–${num(s[key][1], 2)})`);
    const row = (label, key, digits, unit) => [label, ...cols.filter(([, c]) => c).map(([, c]) => (c[key] == null || Number.isNaN(c[key]) ? "—" : `${num(c[key], digits)}${unit}`)), ...ratios.map(([, q]) => ratio(q[key])), ...spreads.map(([, m, s]) => spread(m, s, key))];
    const notes = [`Measured ${t.date}, Node ${t.node}: ${t.note}.`];
    if (t.boardsLinuxOneFrame) notes.push("Petrel native's chargen → kernel figure uses the kernel's TCP segmentation offload: the board writes a connection's consecutive segments into its TAP as one TSO super-frame per write(2) (its default, `--tso on`), so the kernel takes up to 64 KiB per write; lwIP's TAP netif (bench/lwip/lwip-tap.c, one frame per write(2), as lwIP's own tapif) has no such offload, and the `--tso off` column is the board writing one frame per write(2) too.");
    if (t.load) notes.push(`Load average ${t.load.before.join(" / ")} (1 / 5 / 15 min) before the run and ${t.load.after.join(" / ")} after, on ${t.load.cpus} CPUs${t.roundLoad ? `; 1-minute load at the start of each round: ${t.roundLoad.join(", ")}` : ""}.`);
    if (ratios.length) notes.push("Ratios: more than 1× means the first is better (round trips and CPU costs inverted).");
    if (t.petrel?.defaultProfileSequentialConnectClosePerSec !== undefined) notes.push(`Petrel on Node with the default profile (16 connections): ${num(t.petrel.defaultProfileSequentialConnectClosePerSec)} sequential connect + close per second.`);
    return [
      table(["measure", ...cols.filter(([, c]) => c).map(([n]) => n), ...ratios.map(([n]) => n), ...spreads.map(([n]) => n)], [
        row("kernel → Petrel discard", "intoMBps", 0, " MB/s"),
        row("Petrel chargen → kernel", "outOfMBps", 0, " MB/s"),
        row("echo 64 B round trip, median", "rttMedianMs", 3, " ms"),
        row("echo 64 B round trip, p99", "rttP99Ms", 3, " ms"),
        row("connections per second (concurrent)", "connectionsPerSec", 0, ""),
        row("connect + close, sequential, per second", "sequentialConnectClosePerSec", 0, ""),
        ...(t.petrel?.concurrentEchoPerSec !== undefined ? [row("50 connections × 100 echoes of 1 KiB, echoes per second", "concurrentEchoPerSec", 0, "")] : []),
        ...(t.boardsLinux?.cpuMsPerMBInto !== undefined ? [
          row("server CPU per MB received", "cpuMsPerMBInto", 2, " ms"),
          row("server CPU per MB sent", "cpuMsPerMBOutOf", 2, " ms"),
          row("server CPU per 64 B echo", "cpuUsPerEcho", 1, " µs"),
          row("server CPU per sequential connection", "cpuUsPerSequentialConnection", 0, " µs"),
          row("server CPU per concurrent 1 KiB echo", "cpuUsPerConcurrentEcho", 1, " µs"),
        ] : []),
      ]),
      "",
      notes.join(" "),
    ].join("\n");
  },

  footprint(r) {
    const f = r.footprint.profiles;
    return table(["", ...PROFILES], [
      [".wasm", ...PROFILES.map((p) => `${num(f[p].wasmBytes)} B`)],
      ["connections", ...PROFILES.map((p) => num(f[p].connections))],
      ["state per connection (TCB)", ...PROFILES.map((p) => `${num(f[p].perConnectionStateBytes)} B`)],
      ["rings per connection", ...PROFILES.map((p) => `${num(f[p].perConnectionBufferBytes)} B`)],
      ["linear memory used", ...PROFILES.map((p) => `${num(f[p].memory.usedBytes)} B`)],
      ["wasm2c → Cortex-M4 -Os, text", ...PROFILES.map((p) => `${num(f[p].native?.["cortex-m4"]?.text)} B`)],
      ["wasm2c → rv32imc -Os, text", ...PROFILES.map((p) => `${num(f[p].native?.rv32imc?.text)} B`)],
    ]);
  },

  engines(r) {
    const e = r.engines;
    const w = e.wasm2c, i = e.wamr_fast_interp, q = e.ratio, a = e.wamr_aot, qa = e.ratio_aot;
    // with `bench:engines --aot`, two more columns: WAMR's AOT runtime on the wamrc-compiled module
    const row = (label, key, digits, unit) => [label, `${num(w[key], digits)}${unit}`, `${num(i[key], digits)}${unit}`, ratio(q[key]),
      ...(a ? [`${num(a[key], digits)}${unit}`, ratio(qa[key])] : [])];
    return [
      table(["measure", "wasm2c", "WAMR fast interpreter", "WAMR / wasm2c", ...(a ? ["WAMR AOT", "AOT / wasm2c"] : [])], [
        row("kernel → discard", "intoMBps", 0, " MB/s"),
        row("chargen → kernel", "outOfMBps", 0, " MB/s"),
        row("echo 64 B round trip, median", "rttMedianMs", 3, " ms"),
        row("echo 64 B round trip, p99", "rttP99Ms", 3, " ms"),
        row("connections per second", "connectionsPerSec", 0, ""),
        row("board CPU per MB received", "intoCpuMsPerMB", 1, " ms"),
        row("board CPU per MB sent", "outOfCpuMsPerMB", 1, " ms"),
        row("board CPU per connection", "cpuUsPerConnection", 0, " µs"),
      ]),
      "",
      `Measured ${e.date}, Node ${e.node}, ${e.wamr}: ${e.note}.`,
    ].join("\n");
  },

  wamr_pool(r) {
    const p = r.wamr_pool;
    const rows = Object.entries(p.pool).map(([k, v]) => [k.replace(/_/g, " "), `${num(v)} B (${kib(v)})`]);
    rows.push(["wasm stack: smallest that passed / reserved", `${num(p.wasm_stack_min)} B / ${num(p.wasm_stack)} B`]);
    rows.push(["linear memory (outside the pool)", `${num(p.tiny_linear_memory)} B`]);
    return [table(["tiny profile under WAMR (fast interpreter)", "smallest pool that passes"], rows), "", `Measured ${p.date}: ${p.method}.`].join("\n");
  },

  mps2(r) {
    const m = r.mps2, f = { ...m.firmwares };
    if (m.wasm2cUnchecked) f.unchecked = m.wasm2cUnchecked;
    const names = [["wasm2c", "Petrel (wasm2c)"], ["wamr", "Petrel (WAMR)"], ["lwip", "lwIP 2.1.3"],
      ["unchecked", "*Petrel (wasm2c) without bounds checks: analysis only*"]].filter(([k]) => f[k]);
    const row = (label, fn) => [label, ...names.map(([k]) => fn(f[k]))];
    const biggest = names.filter(([k]) => f[k].biggest).map(([k, n]) =>
      `- ${n}: ${f[k].biggest.slice(0, 5).map((b) => `\`${b.symbol}\` ${num(b.bytes)} B`).join(", ")}`);
    return [
      table(["Cortex-M4 (QEMU mps2-an386)", ...names.map(([, n]) => n)], [
        row("flash (text + rodata), -O2", (x) => `${num(x.flash)} B`),
        row("flash, -Os", (x) => (x.flashOs ? `${num(x.flashOs)} B` : "—")),
        row("RAM (data + bss)", (x) => `${num(x.ram)} B`),
        row("instructions per byte received", (x) => num(x.rxPerByte, 2)),
        row("instructions per byte sent", (x) => num(x.txPerByte, 2)),
        row("instructions per connection (open, 64 B echo, close)", (x) => num(x.perConnection)),
        row("per byte received / sent, ratio to lwIP", (x) => `${ratio(x.rxPerByte / f.lwip?.rxPerByte)} / ${ratio(x.txPerByte / f.lwip?.txPerByte)}`),
        row("per byte received / sent, ratio to Petrel (wasm2c)", (x) => `${ratio(x.rxPerByte / f.wasm2c?.rxPerByte)} / ${ratio(x.txPerByte / f.wasm2c?.txPerByte)}`),
        row("flash and RAM, ratio to lwIP", (x) => `${ratio(x.flash / f.lwip?.flash)} and ${ratio(x.ram / f.lwip?.ram)}`),
      ]),
      "",
      "Biggest symbols (linked ELF, `nm --size-sort`):",
      "",
      ...biggest,
      "",
      `Measured ${m.date}, ${m.qemu}, ${m.gcc}: ${m.note}.`,
    ].join("\n");
  },

  cpu(r) {
    const c = r.cpu, m = r.serveRss;
    const lw = typeof c.lwip === "object" ? c.lwip : null;
    const rows = [
      ["native board (wasm2c): instructions per byte received", num(c.instructionsPerReceivedByte, 2)],
      ["native board (wasm2c): instructions per byte sent", num(c.instructionsPerSentByte, 2)],
    ];
    if (lw) rows.push(
      ["lwIP 2.1.3 (Debian's build, raw API): instructions per byte received", num(lw.instructionsPerReceivedByte, 2)],
      ["lwIP 2.1.3 (Debian's build, raw API): instructions per byte sent", num(lw.instructionsPerSentByte, 2)],
    );
    if (c.instructionsPerConcurrentEcho) rows.push(
      ["native board (server profile): instructions per 1 KiB echo round trip, 50 connections at once", num(c.instructionsPerConcurrentEcho)],
      ...(lw?.instructionsPerConcurrentEcho ? [["lwIP 2.1.3: instructions per 1 KiB echo round trip, 50 connections at once", num(lw.instructionsPerConcurrentEcho)]] : []),
    );
    if (c.instructionsPerEcho) rows.push(
      ["native board (server profile): instructions per 64 B echo round trip, one connection", num(c.instructionsPerEcho)],
      ...(lw?.instructionsPerEcho ? [["lwIP 2.1.3: instructions per 64 B echo round trip, one connection", num(lw.instructionsPerEcho)]] : []),
      ["native board (server profile): instructions per sequential connect + close", num(c.instructionsPerSequentialConnection)],
      ...(lw?.instructionsPerSequentialConnection ? [["lwIP 2.1.3: instructions per sequential connect + close", num(lw.instructionsPerSequentialConnection)]] : []),
    );
    if (m) rows.push([`\`petrel serve\` RSS over ${num(m.connections)} sequential connections: start / end / peak`,
      `${num(m.rssStartMB)} / ${num(m.rssEndMB)} / ${num(Math.max(...m.series.map((x) => x.rssMB)))} MB`]);
    const notes = [`Instructions measured ${c.date}: ${c.method}.`];
    if (m) notes.push(`RSS measured ${m.date}, Node ${m.node}: ${m.note}.`);
    return [table(["measure", "value"], rows), "", ...notes].join("\n");
  },

  flood(r) {
    const f = r.flood;
    if (!f) throw new Error("bench/results.json has no \"flood\" (npm run bench:flood)");
    const rows = f.rows.map((x) => [x.server, num(x.synsPerSecond), num(x.queueDropped), `${x.within1s}/${x.attempts}`, `${x.connected}/${x.attempts}`,
      x.firstAfterMs === null ? "never" : `${num(x.firstAfterMs)} ms`]);
    return [
      table(["server", "forged SYNs/s", "dropped at its queue", "connects during: within 1 s", "at all", "first success after"], rows),
      "",
      `Measured ${f.date} on ${f.cpus} CPUs: ${f.method}.`,
    ].join("\n");
  },
};

/** README text with every figures block regenerated. */
export function regenerate(readme, results, map) {
  return readme.replace(/<!-- figures:(\w+) -->[\s\S]*?<!-- \/figures -->/g, (_all, name) => {
    const gen = generators[name];
    if (!gen) throw new Error(`README: unknown figures block ${name} (${Object.keys(generators).join(", ")})`);
    return `<!-- figures:${name} -->\n${gen(results, map)}\n<!-- /figures -->`;
  });
}

export function load() {
  const results = JSON.parse(readFileSync(`${root}bench/results.json`, "utf8"));
  const mapPath = `${root}build/memory-map.json`;
  if (!existsSync(mapPath)) throw new Error("build/memory-map.json is missing: run npm run build");
  const map = JSON.parse(readFileSync(mapPath, "utf8"));
  return { readme: readFileSync(`${root}README.md`, "utf8"), results, map };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { readme, results, map } = load();
  const next = regenerate(readme, results, map);
  if (process.argv.includes("--check")) {
    if (next !== readme) {
      console.error("README.md is out of date: run node scripts/readme.mjs");
      process.exit(1);
    }
  } else if (next !== readme) {
    writeFileSync(`${root}README.md`, next);
    console.log("README.md: figures regenerated");
  }
}
