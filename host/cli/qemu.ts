// `petrel qemu`: a firmware of boards/mps2-an386 in QEMU's mps2-an386 (Cortex-M4 + LAN9220) with
// the board's NIC on a TAP device. The address reaches the firmware through semihosting's command
// line, so one ELF serves any address. The firmware's console (UART0) is QEMU's stdio: its JSON
// lines are relayed to stdout; Ctrl-C sends the firmware 'q' (it prints its exit line and QEMU
// exits 0), then SIGTERM after 3 s, SIGKILL after 6 s.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "../node/files.ts";
import { gatewayProblem, parseCidrArg } from "./args.ts";

export const MPS2_FIRMWARES = ["wasm2c", "wamr", "lwip"] as const;
export type Mps2Firmware = (typeof MPS2_FIRMWARES)[number];

export const QEMU_USAGE = `usage: petrel qemu --firmware wasm2c|wamr|lwip --tap NAME --ip ADDR/PREFIX [options]

Runs a firmware for QEMU's mps2-an386 (Cortex-M4, LAN9220 Ethernet) with its NIC on a TAP device:
wasm2c and wamr run the Petrel core (native Thumb-2 code / WAMR's interpreter), lwip is lwIP 2.1.3
on the same board and driver. Builds the firmware first if needed (build/mps2/<firmware>/).

  --firmware NAME       wasm2c, wamr or lwip
  --tap NAME            TAP device QEMU creates (removed when QEMU exits)
  --ip ADDR/PREFIX      the firmware's address, e.g. 198.18.0.2/24
  --host-ip ADDR/PREFIX give the kernel's side of the TAP this address and bring it up
  --gw ADDR             default gateway (optional)
  --services LIST       comma-separated: echo (7), discard (9), chargen (19); default all three
  --seed N              the core's random seed (default: random)
  --icount              -icount shift=0: one instruction per virtual nanosecond (for counting
                        instructions with the board's timer; see npm run bench:mps2)
  -h, --help            this text

Console lines: {"event":"ready",…} once the stack is up; type s for a status line, q to stop.
`;

export class QemuUsageError extends Error {}

/** The ELF of a firmware (built by scripts/build-boards.mjs --mps2=NAME). */
export function firmwarePath(fw: Mps2Firmware): string {
  return join(ROOT, "build", "mps2", fw, fw === "lwip" ? "lwip-mps2.elf" : "petrel-mps2.elf");
}

/** Build the firmware with scripts/build-boards.mjs; null, or why it failed. */
export function buildFirmware(fw: Mps2Firmware): string | null {
  const r = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs"), `--mps2=${fw}`], { encoding: "utf8", timeout: 900_000 });
  return r.status === 0 ? null : `build of ${fw} failed: ${(r.stderr || r.stdout).trim().split("\n").slice(-5).join(" | ")}`;
}

export interface QemuOptions {
  firmware: Mps2Firmware;
  tap: string;
  ip: string;          // ADDR/PREFIX
  gw?: string;
  services?: string;   // "echo,discard,chargen"
  seed?: bigint | number;
  icount?: boolean;
  elf?: string;        // another build of the firmware (bench variants); default firmwarePath()
}

/** qemu-system-arm's arguments for a firmware on a TAP (QEMU's option syntax doubles commas). */
export function qemuArgs(o: QemuOptions): string[] {
  const words = ["petrel", "--tap", o.tap, "--ip", o.ip, "--services", o.services ?? "echo,discard,chargen"];
  if (o.gw) words.push("--gw", o.gw);
  if (o.seed !== undefined) words.push("--seed", String(o.seed));
  const semihosting = ["enable=on", "target=native", ...words.map((w) => `arg=${w.replace(/,/g, ",,")}`)].join(",");
  return [
    "-M", "mps2-an386", "-kernel", o.elf ?? firmwarePath(o.firmware),
    "-display", "none", "-monitor", "none", "-serial", "stdio",
    "-semihosting-config", semihosting,
    "-nic", `tap,ifname=${o.tap},script=no,downscript=no`,
    ...(o.icount ? ["-icount", "shift=0"] : []),
  ];
}

/** ADDR/PREFIX of a flag, or a QemuUsageError with the shared parser's message. */
function cidrArg(flag: string, s: string, host: boolean): { ip: string; prefix: number } {
  const r = parseCidrArg(flag, s, { host });
  if (typeof r === "string") throw new QemuUsageError(r);
  return r;
}

export async function qemuMain(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({
    args: argv, strict: true,
    options: {
      firmware: { type: "string" }, tap: { type: "string" }, ip: { type: "string" }, "host-ip": { type: "string" },
      gw: { type: "string" }, services: { type: "string" }, seed: { type: "string" }, icount: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (v.help) return void process.stdout.write(QEMU_USAGE), 0;
  const fw = v.firmware as Mps2Firmware | undefined;
  if (!fw || !MPS2_FIRMWARES.includes(fw)) throw new QemuUsageError(`--firmware must be one of ${MPS2_FIRMWARES.join(", ")}`);
  if (!v.tap || !/^[A-Za-z0-9_.-]{1,15}$/.test(v.tap)) throw new QemuUsageError("--tap NAME is required (1-15 letters, digits, _ . -)");
  if (!v.ip) throw new QemuUsageError("--ip ADDR/PREFIX is required (e.g. --ip 198.18.0.2/24)");
  const me = cidrArg("--ip", v.ip, true);
  const host = v["host-ip"] !== undefined ? cidrArg("--host-ip", v["host-ip"], true) : null;
  if (host && host.ip === me.ip) throw new QemuUsageError(`--host-ip ${host.ip} is the same as --ip`);
  const gwWhy = v.gw !== undefined ? gatewayProblem(v.gw, me.ip, me.prefix) : null;
  if (gwWhy) throw new QemuUsageError(gwWhy);
  const services = v.services ?? "echo,discard,chargen";
  for (const s of services.split(",")) if (!["echo", "discard", "chargen"].includes(s)) throw new QemuUsageError(`unknown service ${s} (echo, discard, chargen)`);
  if (v.seed !== undefined && !/^\d+$/.test(v.seed)) throw new QemuUsageError(`--seed expects a number, got ${JSON.stringify(v.seed)}`);
  if (spawnSync("sh", ["-c", "command -v qemu-system-arm"], { stdio: "ignore" }).status !== 0) {
    process.stderr.write("petrel: qemu-system-arm not found (EQEMU): apt-get install qemu-system-arm\n");
    return 1;
  }
  if (!existsSync(firmwarePath(fw))) {
    process.stderr.write(`petrel: building the ${fw} firmware…\n`);
    const why = buildFirmware(fw);
    if (why) {
      process.stderr.write(`petrel: ${why} (EBUILD)\n`);
      return 1;
    }
  }
  const seed = v.seed !== undefined ? BigInt(v.seed) : randomBytes(8).readBigUInt64LE(); // the core's ISNs and ports
  const q = spawn("qemu-system-arm", qemuArgs({ firmware: fw, tap: v.tap, ip: `${me.ip}/${me.prefix}`, gw: v.gw, services, seed, icount: v.icount }), { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", configured = false, failed: string | null = null;
  q.stdout.on("data", (d: Buffer) => {
    out += d.toString("latin1");
    for (let i = out.indexOf("\n"); i >= 0; i = out.indexOf("\n")) {
      const line = out.slice(0, i).replace(/\r$/, "");
      out = out.slice(i + 1);
      process.stdout.write(line + "\n");
      if (!configured && host && line.startsWith("{\"event\":\"ready\"")) {
        configured = true;
        const r = spawnSync("sh", ["-c", `ip addr add ${host.ip}/${host.prefix} dev ${v.tap} && ip link set ${v.tap} up`], { encoding: "utf8", timeout: 10_000 });
        if (r.status !== 0) { failed = `configuring ${v.tap}: ${r.stderr.trim()}`; q.stdin.write("q"); }
      }
    }
  });
  q.stderr.on("data", (d: Buffer) => process.stderr.write(d));
  process.stdin.on("data", (d: Buffer) => q.stdin.write(d)); // s / q reach the firmware
  let stopping = false;
  const stop = (): void => {
    if (stopping) return void q.kill("SIGKILL");
    stopping = true;
    q.stdin.write("q");
    setTimeout(() => q.kill("SIGTERM"), 3000).unref();
    setTimeout(() => q.kill("SIGKILL"), 6000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const code = await new Promise<number>((res) => q.on("close", (c, sig) => res(c ?? (sig ? 128 : 1))));
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  process.stdin.pause();
  if (failed) {
    process.stderr.write(`petrel: ${failed}\n`);
    return 1;
  }
  return code;
}
