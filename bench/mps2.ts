// `npm run bench:mps2`: the mps2-an386 firmwares (Petrel-wasm2c, Petrel-WAMR, lwIP) side by side on
// the same emulated Cortex-M4 board, never a timed test:
//   - footprint from the linked ELFs (arm-none-eabi-size -A, and the biggest symbols from nm):
//     flash = .text (code + rodata) + .ARM.exidx + .init_array + .data (its initial values);
//     RAM = .data + .bss (linear memory, WAMR's pool and mmap region, rings, tables, pools). The
//     16 KiB init heap and the 64 KiB stack of mps2.ld are the same for all three and not counted.
//   - instructions, counted by QEMU: -icount shift=0 makes virtual time advance 1 ns per
//     instruction, and the firmware's TIMER0 (25 MHz) counts that time; ticks spent in WFI are
//     counted apart (idle_ticks), so (ticks - idle_ticks) × 40 = instructions executed. Read from
//     the firmware's status line before and after each workload; the cost of one status request
//     (printing it, idle wake-ups) is measured alone and subtracted.
//     rx: kernel → discard (payload bytes), tx: chargen → kernel, conn: open + 64 B echo + close.
// Runs in a namespace it creates (198.18.0.0/15), as the tests do. Merges "mps2" into
// bench/results.json and prints the README's tables.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../host/node/files.ts";
import { buildFirmware, firmwarePath, qemuArgs, MPS2_FIRMWARES, type Mps2Firmware } from "../host/cli/qemu.ts";
import { BOARD_IP, KERNEL_IP, Netns, QemuBoard } from "../tests/boards/support.ts";

const { values } = parseArgs({ options: { quick: { type: "boolean" }, firmware: { type: "string" } } });
const MB = 1 << 20;
const BULK = (values.quick ? 1 : 4) * MB;
const CONNS = values.quick ? 10 : 50;
const FIRMWARES = (values.firmware ? values.firmware.split(",") : ["wasm2c", "wamr", "lwip"]) as Mps2Firmware[];
for (const f of FIRMWARES) if (!MPS2_FIRMWARES.includes(f)) throw new Error(`unknown firmware ${f}`);
const INSN_PER_TICK = 40; // 25 MHz timer, 1 ns per instruction

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function footprint(fw: Mps2Firmware, elf = firmwarePath(fw)) {
  const sections: Record<string, number> = {};
  for (const line of run("arm-none-eabi-size", ["-A", elf]).split("\n")) {
    const m = /^(\.\S+)\s+(\d+)\s+\d+/.exec(line);
    if (m) sections[m[1]!] = Number(m[2]);
  }
  const s = (n: string) => sections[n] ?? 0;
  const flash = s(".text") + s(".ARM.exidx") + s(".init_array") + s(".data");
  const ram = s(".data") + s(".bss");
  const biggest = run("arm-none-eabi-nm", ["--size-sort", "-S", "-r", elf]).split("\n").slice(0, 8)
    .map((l) => l.split(/\s+/)).filter((p) => p.length >= 4).map((p) => ({ symbol: p[3]!, bytes: parseInt(p[1]!, 16), kind: p[2]! }));
  return { flash, ram, text: s(".text"), data: s(".data"), bss: s(".bss"), biggest };
}

type Status = { ticks: number; idle_ticks: number };
const busy = (a: Status, b: Status): number => (b.ticks - b.idle_ticks - (a.ticks - a.idle_ticks)) * INSN_PER_TICK;

function peer(ns: Netns, script: string, mode: string | null, args: Record<string, unknown>, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const argv = mode ? [script, mode, JSON.stringify({ timeoutMs, ...args })] : [script, JSON.stringify({ timeoutMs, ...args })];
    const p = spawn("ip", ["netns", "exec", ns.name, process.execPath, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    const guard = setTimeout(() => p.kill("SIGKILL"), timeoutMs + 5000);
    p.on("close", () => {
      clearTimeout(guard);
      const line = out.split("\n").find((l) => l.startsWith("{\"result\""));
      if (!line) return reject(new Error(`peer ${mode ?? script} gave no result`));
      const r = (JSON.parse(line) as { result: Record<string, unknown> }).result;
      if (r.error) return reject(new Error(`peer ${mode ?? script}: ${String(r.error)}`));
      resolve(r);
    });
  });
}

async function instructions(fw: Mps2Firmware, elf?: string) {
  const ns = new Netns("bench");
  const dev = `mb${fw.slice(0, 4)}${process.pid % 10000}`;
  const q = new QemuBoard(qemuArgs({ firmware: fw, tap: dev, ip: `${BOARD_IP}/24`, seed: 1, icount: true, elf }), ns.name);
  const PEER = join(ROOT, "tests", "boards", "peer.mjs"), CONN = join(ROOT, "bench", "mps2-peer.mjs");
  try {
    await q.ready(30_000);
    ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
    ns.ip("link", "set", dev, "up");
    await peer(ns, CONN, null, { host: BOARD_IP, port: 7, n: 3, size: 64 }, 60_000); // ARP, warm-up
    // the cost of a status request alone (printing, idle wake-ups), median of 3
    const base: number[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await q.status();
      const b = await q.status();
      base.push(busy(a, b));
    }
    const overhead = base.sort((x, y) => x - y)[1]!;
    const measure = async (work: () => Promise<unknown>): Promise<number> => {
      const a = await q.status();
      await work();
      await new Promise((r) => setTimeout(r, 300)); // the last ACKs and FINs
      const b = await q.status();
      return Math.max(0, busy(a, b) - overhead);
    };
    const rx = await measure(() => peer(ns, PEER, "send", { host: BOARD_IP, port: 9, bytes: BULK }, 600_000));
    const tx = await measure(() => peer(ns, PEER, "chargen", { host: BOARD_IP, port: 19, bytes: BULK }, 600_000));
    // per connection: the median of 3 batches (delayed-ACK timing makes single batches vary by ~10 %)
    const batches: number[] = [];
    for (let i = 0; i < 3; i++) batches.push(await measure(() => peer(ns, CONN, null, { host: BOARD_IP, port: 7, n: CONNS, size: 64 }, 600_000)));
    const conn = batches.sort((x, y) => x - y)[1]!;
    await q.stop(10_000);
    return {
      rxPerByte: +(rx / BULK).toFixed(2), txPerByte: +(tx / BULK).toFixed(2), perConnection: Math.round(conn / CONNS),
      perConnectionBatches: batches.map((b) => Math.round(b / CONNS)),
      statusOverhead: overhead,
    };
  } finally {
    await q.stop(3000);
    ns.close();
  }
}

const results: Record<string, unknown> = {};
for (const fw of FIRMWARES) {
  const why = buildFirmware(fw);
  if (why) throw new Error(why);
  const fp = footprint(fw);
  // the same firmware at -Os: flash when size matters more than speed (footprint only)
  const osOut = join(ROOT, "build", "mps2", "Os", fw);
  const mk = spawnSync("make", ["-s", "-f", join(ROOT, "boards", "mps2-an386", "Makefile"), `FIRMWARE=${fw}`, "OPT=-Os", `OUT=${osOut}`], { encoding: "utf8", timeout: 600_000 });
  if (mk.status !== 0) throw new Error(`-Os build of ${fw}: ${mk.stderr}`);
  const os = footprint(fw, join(osOut, fw === "lwip" ? "lwip-mps2.elf" : "petrel-mps2.elf"));
  console.error(`bench:mps2: ${fw}: counting instructions under -icount shift=0 …`);
  const insn = await instructions(fw);
  results[fw] = { ...fp, flashOs: os.flash, ramOs: os.ram, ...insn };
  console.error(`bench:mps2: ${fw}: ${JSON.stringify({ flash: fp.flash, ram: fp.ram, ...insn })}`);
}

// For analysis: Petrel-wasm2c without wasm2c's bounds checks (boards/mps2-an386/Makefile UNCHECKED=1,
// not a safe build): how much of the cost is the sandbox rather than the stack.
let unchecked: Record<string, unknown> | undefined;
if (FIRMWARES.includes("wasm2c")) {
  const out = join(ROOT, "build", "mps2", "wasm2c-unchecked");
  const mk = spawnSync("make", ["-s", "-f", join(ROOT, "boards", "mps2-an386", "Makefile"), "FIRMWARE=wasm2c", "UNCHECKED=1", `OUT=${out}`], { encoding: "utf8", timeout: 600_000 });
  if (mk.status !== 0) throw new Error(`unchecked build: ${mk.stderr}`);
  const elf = join(out, "petrel-mps2.elf");
  console.error("bench:mps2: wasm2c without bounds checks (analysis) …");
  unchecked = { ...footprint("wasm2c", elf), ...(await instructions("wasm2c", elf)) };
}

const file = join(ROOT, "bench", "results.json");
const all = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
all.mps2 = {
  date: new Date().toISOString().slice(0, 10),
  qemu: run("qemu-system-arm", ["--version"]).split("\n")[0],
  gcc: run("arm-none-eabi-gcc", ["--version"]).split("\n")[0],
  note: `QEMU mps2-an386 (Cortex-M4), -icount shift=0; bulk ${BULK / MB} MB each way, per connection the median of 3 batches of ${CONNS} connections of 64 B echo; `
    + "all firmwares -O2 -mthumb soft-float, newlib-nano, the same board code and LAN9118 driver; Petrel's default profile and lwIP with the same limits (boards/mps2-an386/lwip/lwipopts.h)",
  firmwares: results,
  wasm2cUnchecked: unchecked,
};
writeFileSync(file, JSON.stringify(all, null, 2) + "\n");

const kib = (n: number) => (n / 1024).toFixed(1);
const r = results as Record<string, ReturnType<typeof footprint> & Awaited<ReturnType<typeof instructions>>>;
const name = { wasm2c: "Petrel (wasm2c)", wamr: "Petrel (WAMR fast interpreter)", lwip: "lwIP 2.1.3" } as Record<string, string>;
console.log("| firmware | flash KiB (-O2) | flash KiB (-Os) | RAM KiB | instr/byte rx | instr/byte tx | instr/connection |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const fw of FIRMWARES) {
  const x = r[fw]! as typeof r[string] & { flashOs: number };
  console.log(`| ${name[fw]} | ${kib(x.flash)} | ${kib(x.flashOs)} | ${kib(x.ram)} | ${x.rxPerByte} | ${x.txPerByte} | ${x.perConnection} |`);
}
if (unchecked) {
  const u = unchecked as ReturnType<typeof footprint> & Awaited<ReturnType<typeof instructions>>;
  console.log(`| Petrel (wasm2c) without bounds checks (analysis only) | ${kib(u.flash)} | | ${kib(u.ram)} | ${u.rxPerByte} | ${u.txPerByte} | ${u.perConnection} |`);
}
console.log("");
for (const fw of FIRMWARES) console.log(`${name[fw]}, biggest symbols: ${r[fw]!.biggest.map((b) => `${b.symbol} ${b.bytes}`).join(", ")}`);
