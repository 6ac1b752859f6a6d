// boards/mps2-an386: the firmwares for QEMU's mps2-an386 (Cortex-M4 + LAN9220 on a TAP) against the
// Linux kernel, each in a namespace this test creates (kernel 198.18.0.1, firmware 198.18.0.2).
// Every firmware passes the same table: ARP + ping, echo of 1 MB of random data byte-exact, 50
// connections one after another, RST from a closed port, chargen pattern-exact; then all slots are
// free and the firmware exits cleanly on 'q'. lwIP on the same board and driver is the reference.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, wasmPathFor } from "../../host/node/files.ts";
import { buildFirmware, firmwarePath, qemuArgs, type Mps2Firmware } from "../../host/cli/qemu.ts";
import { ensureDebianTool, isRoot, unavailable } from "../support/env.ts";
import { BOARD_IP, KERNEL_IP, Netns, QemuBoard, sha256File } from "./support.ts";

const MB = 1 << 20;

function netWhy(): string | null {
  if (!isRoot()) return "needs root (TAP devices, network namespaces)";
  if (!existsSync("/dev/net/tun")) return "/dev/net/tun is missing";
  for (const [cmd, pkg] of [["ip", "iproute2"], ["qemu-system-arm", "qemu-system-arm"], ["ping", "iputils-ping"]] as const) {
    const why = ensureDebianTool(cmd, pkg);
    if (why) return why;
  }
  return null;
}

function firmwareTests(fw: Mps2Firmware): void {
  test(`mps2-an386 ${fw}: the firmware builds (arm-none-eabi-gcc, newlib-nano)`, { timeout: 900_000 }, (t) => {
    for (const [cmd, pkg] of [["make", "make"], ["arm-none-eabi-gcc", "gcc-arm-none-eabi"]] as const) {
      const why = ensureDebianTool(cmd, pkg);
      if (why) return unavailable(t, why);
    }
    const why = buildFirmware(fw);
    assert.equal(why, null, why ?? "");
    assert.ok(statSync(firmwarePath(fw)).size > 0);
  });

  test(`mps2-an386 ${fw} in QEMU against the kernel: ping, echo 1 MB, 50 connections, RST, chargen`, { timeout: 240_000 }, async (t) => {
    const why = netWhy();
    if (why) return unavailable(t, why);
    if (!existsSync(firmwarePath(fw))) return unavailable(t, `${firmwarePath(fw)} is missing (the build case failed)`);
    const ns = new Netns("q");
    const dev = `mq${fw.slice(0, 4)}${process.pid % 10000}`;
    let q: QemuBoard | undefined;
    try {
      q = new QemuBoard(qemuArgs({ firmware: fw, tap: dev, ip: `${BOARD_IP}/24`, seed: 7 }), ns.name);
      const ready = await q.ready();
      assert.equal(ready.board, "mps2-an386");
      assert.equal(ready.ip, `${BOARD_IP}/24`, "the address came in through semihosting's command line");
      if (fw !== "lwip") assert.equal(ready.wasm_sha256, sha256File(wasmPathFor()), "the firmware embeds the release module's hash");
      ns.ip("addr", "add", `${KERNEL_IP}/24`, "dev", dev);
      ns.ip("link", "set", dev, "up");

      await t.test("ARP + ping", () => {
        const ping = ns.exec(["ping", "-c", "3", "-i", "0.2", "-W", "2", BOARD_IP]);
        assert.equal(ping.code, 0, ping.stdout + ping.stderr);
        assert.match(ping.stdout, /3 received/);
        const neigh = ns.exec(["ip", "neigh", "show", BOARD_IP]);
        assert.match(neigh.stdout, new RegExp(ready.mac), "the kernel resolved the firmware's MAC by ARP");
      });
      await t.test("kernel → echo: 1 MB of random data, sha256 equal", async () => {
        const r = await ns.peer<{ received: number; shaSent: string; shaRecv: string }>("echo-client", { host: BOARD_IP, port: 7, bytes: MB }, 60_000);
        assert.equal(r.error, undefined);
        assert.equal(r.received, MB);
        assert.equal(r.shaRecv, r.shaSent);
      });
      await t.test("50 sequential connections to echo", async () => {
        const r = await ns.peer<{ ok: number; failed: string[] }>("sequential", { host: BOARD_IP, port: 7, n: 50 }, 60_000);
        assert.equal(r.error, undefined);
        assert.deepEqual(r.failed, []);
        assert.equal(r.ok, 50);
      });
      await t.test("a closed port answers RST (ECONNREFUSED)", async () => {
        const r = await ns.peer<{ connected?: boolean }>("connect", { host: BOARD_IP, port: 4321 }, 10_000);
        assert.equal(r.error, "ECONNREFUSED");
      });
      await t.test("chargen → kernel: 1 MB of the RFC 864 pattern", async () => {
        const r = await ns.peer<{ received: number; mismatch: number }>("chargen", { host: BOARD_IP, port: 19, bytes: MB }, 60_000);
        assert.equal(r.error, undefined);
        assert.ok(r.received >= MB);
        assert.equal(r.mismatch, -1, "every byte follows RFC 864");
      });
      await t.test("every connection slot free again, no allocation after init; clean exit on 'q'", async () => {
        let st = await q!.status();
        for (let i = 0; i < 30 && st.connections !== 0; i++) {
          await new Promise((res) => setTimeout(res, 200));
          st = await q!.status();
        }
        assert.equal(st.connections, 0, "the kernel closed first, so the firmware holds no TIME-WAIT");
        assert.equal((st as { heap_after_init?: number }).heap_after_init, 0, "nothing was allocated from the heap after init");
        const end = await q!.stop(10_000);
        assert.equal(end.code, 0, `QEMU exits 0 after the firmware's exit line: ${q!.stderr}`);
        assert.ok(end.exit, "the firmware printed its exit line");
      });
    } finally {
      await q?.stop(3000);
      ns.close();
    }
  });
}

for (const fw of ["wasm2c", "wamr", "lwip"] as const) firmwareTests(fw);

// ── the CLI runner ───────────────────────────────────────────────────────────────────────────────
const PETREL = join(ROOT, "bin", "petrel.js");

test("petrel qemu: bad options are a one-line usage error (exit 2), never a stack trace", { timeout: 60_000 }, () => {
  for (const [args, msg] of [
    [["--firmware", "esp32", "--tap", "t0", "--ip", "198.18.0.2/24"], /--firmware must be one of wasm2c, wamr, lwip/],
    [["--firmware", "wasm2c", "--tap", "t0", "--ip", "198.18.0.300/24"], /--ip: bad address "198\.18\.0\.300\/24": expected an IPv4 address with a prefix length/],
    [["--firmware", "wasm2c", "--tap", "t0", "--ip", "198.18.0.2/24", "--services", "echo,http"], /unknown service http/],
    [["--firmware", "wasm2c", "--ip", "198.18.0.2/24"], /--tap NAME is required/],
  ] as const) {
    const r = spawnSync(process.execPath, [PETREL, "qemu", ...args], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});

test("petrel qemu --firmware wasm2c --host-ip: ready line, ping, SIGINT stops QEMU cleanly", { timeout: 120_000 }, async (t) => {
  const why = netWhy();
  if (why) return unavailable(t, why);
  if (!existsSync(firmwarePath("wasm2c"))) return unavailable(t, "the wasm2c firmware is missing (its build case failed)");
  const ns = new Netns("c");
  const dev = `mqcli${process.pid % 10000}`;
  const p = spawn("ip", ["netns", "exec", ns.name, process.execPath, PETREL, "qemu", "--firmware", "wasm2c", "--tap", dev,
    "--ip", `${BOARD_IP}/24`, "--host-ip", `${KERNEL_IP}/24`, "--services", "echo"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "", err = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (err += d));
  const exited = new Promise<number | null>((res) => p.on("close", (code) => res(code)));
  try {
    for (let i = 0; i < 300 && !out.includes("\"event\":\"ready\""); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /\{"event":"ready","tap":"[^"]+","ip":"198\.18\.0\.2\/24"/, `the firmware's ready line is relayed: ${err}`);
    let ping = { code: 1 as number | null, stdout: "", stderr: "" };
    for (let i = 0; i < 20 && ping.code !== 0; i++) { // --host-ip is applied right after the ready line
      ping = ns.exec(["ping", "-c", "1", "-W", "1", BOARD_IP]);
    }
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    p.kill("SIGINT");
    const timer = setTimeout(() => p.kill("SIGKILL"), 15_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, `exit 0 after SIGINT: ${err}`);
    assert.match(out, /\{"event":"exit"/, "the firmware printed its exit line before QEMU stopped");
  } finally {
    if (p.exitCode === null) p.kill("SIGKILL");
    await exited;
    ns.close();
  }
});

test("a firmware given a bad command line prints one error line with a code and QEMU exits non-zero", { timeout: 60_000 }, (t) => {
  const why = ensureDebianTool("qemu-system-arm", "qemu-system-arm");
  if (why) return unavailable(t, why);
  if (!existsSync(firmwarePath("wasm2c"))) return unavailable(t, "the wasm2c firmware is missing (its build case failed)");
  for (const [ip, services, msg] of [["198.18.0.2", "echo", /expected ADDR\/PREFIX/], ["198.18.0.2/24", "echo,,http", /unknown service/]] as const) {
    const args = qemuArgs({ firmware: "wasm2c", tap: "unused", ip, services });
    args.splice(args.indexOf("-nic"), 2, "-nic", "none"); // no network needed
    const r = spawnSync("qemu-system-arm", args, { encoding: "utf8", timeout: 30_000 });
    assert.notEqual(r.status, 0, "QEMU reports the firmware's failure");
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1, r.stdout);
    const e = JSON.parse(lines[0]!) as { event: string; code: string; message: string };
    assert.equal(e.event, "error");
    assert.equal(e.code, "EINVAL");
    assert.match(e.message, msg);
  }
});
