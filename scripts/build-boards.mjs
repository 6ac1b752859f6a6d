#!/usr/bin/env node
// Build the boards from the release modules in build/ (run `npm run build` first):
//   node scripts/build-boards.mjs            boards/linux from build/petrel.wasm → build/linux/petrel-linux
//                                            (wasm2c) and build/linux/petrel-linux-wamr (WAMR, from $WAMR_ROOT)
//   node scripts/build-boards.mjs --profiles also build/linux/{tiny,default,server}/petrel-linux{,-wamr}
//   node scripts/build-boards.mjs --esp32    compile boards/esp32's C (and the shared WAMR engine) against
//                                            WAMR's real headers + ESP-IDF stubs, host gcc and rv32imc
//   node scripts/build-boards.mjs --esp32-linux  the ESP32's WAMR configuration on the Linux board: a
//                                            32-bit (gcc -m32) petrel-linux-wamr with boards/esp32/Kconfig's
//                                            tiny pool and wasm stack → build/linux/esp32-tiny/ (runs under
//                                            qemu-i386 where the kernel cannot run i386 binaries)
//   node scripts/build-boards.mjs --all      all of the above
//   node scripts/build-boards.mjs --mps2[=wasm2c,lwip,wamr]
//                                            the Cortex-M4 firmwares for QEMU mps2-an386 (default:
//                                            all three) → build/mps2/<firmware>/*.elf; not in --all
// Installs Debian's wabt (wasm2c), cmake (WAMR's build), gcc and make with apt-get when they are
// missing and we are root. WAMR itself comes from WAMR_ROOT (default ../shared/third_party/wasm-micro-runtime
// beside the project), never from the network.
// Exits non-zero with the reason when something is missing or a build fails.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const all = args.has("--all");
const linux = all || args.has("--profiles") || !(args.has("--esp32") || args.has("--esp32-linux"));
const profiles = all || args.has("--profiles");
const esp32 = all || args.has("--esp32");
const esp32Linux = all || args.has("--esp32-linux");
const mps2Arg = process.argv.slice(2).find((a) => a === "--mps2" || a.startsWith("--mps2="));

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

/** Debian package `pkg` installed (apt-get, as root) unless `present()` already holds. */
function install(pkg, present, what) {
  if (present()) return;
  if (!isRoot) fail(`${what} is missing: apt-get install ${pkg} (needs root)`);
  console.log(`build-boards: installing ${pkg} (for ${what})`);
  const r = spawnSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkg}`],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 600_000 });
  if (r.status !== 0 || !present()) fail(`apt-get install ${pkg} failed`);
}

/** `cmd` (a command, or a file when it contains a slash) from Debian package `pkg`. */
const ensure = (cmd, pkg) => install(pkg, () => (cmd.includes("/") ? existsSync(cmd) : has(cmd)), cmd);
/** Debian package `pkg` when the shell command `probe` fails. */
const ensureWorks = (probe, pkg) => install(pkg, () => spawnSync("sh", ["-c", probe], { stdio: "ignore" }).status === 0, probe);

/** Kconfig's tiny-profile default of `name` in boards/esp32/Kconfig. */
function kconfigTiny(name) {
  const text = readFileSync(join(root, "boards", "esp32", "Kconfig"), "utf8");
  const block = text.slice(text.indexOf(`config ${name}\n`));
  const m = /^\s*default (\d+)(?: if PETREL_PROFILE_TINY)?$/m.exec(block);
  if (!m) fail(`boards/esp32/Kconfig: no default for ${name}`);
  return Number(m[1]);
}

function fail(msg) {
  console.error(`build-boards: ${msg}`);
  process.exit(1);
}

function make(...a) {
  const r = spawnSync("make", ["--no-print-directory", ...a], { cwd: root, stdio: "inherit", timeout: 300_000 });
  if (r.status !== 0) fail(`make ${a.join(" ")} failed`);
}

// ── mps2-an386 (boards/mps2-an386/Makefile) ───────────────────────────────────────────────────
const MPS2_FIRMWARES = ["wasm2c", "lwip", "wamr"];

/** Debian's arm-none-eabi toolchain with newlib-nano (installed when missing and root). */
function ensureArmToolchain() {
  ensure("arm-none-eabi-gcc", "gcc-arm-none-eabi");
  const r = spawnSync("arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-print-file-name=libc_nano.a"], { encoding: "utf8" });
  if (!r.stdout.includes("/")) {
    if (!isRoot) fail("newlib-nano is missing: apt-get install libnewlib-arm-none-eabi (needs root)");
    console.log("build-boards: installing libnewlib-arm-none-eabi");
    const i = spawnSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq --no-install-recommends libnewlib-arm-none-eabi"],
      { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 600_000 });
    if (i.status !== 0) fail("apt-get install libnewlib-arm-none-eabi failed");
  }
}

function buildMps2(list) {
  for (const fw of list) if (!MPS2_FIRMWARES.includes(fw)) fail(`--mps2: unknown firmware ${fw} (${MPS2_FIRMWARES.join(", ")})`);
  ensureArmToolchain();
  for (const fw of list) {
    if (fw === "wasm2c") {
      ensure("wasm2c", "wabt");
      if (!existsSync(join(root, "build", "petrel.wasm"))) fail("build/petrel.wasm is missing: run npm run build");
      make("-s", "-f", "boards/mps2-an386/Makefile", "FIRMWARE=wasm2c");
    } else if (fw === "lwip") {
      make("-s", "-f", "boards/mps2-an386/Makefile", "FIRMWARE=lwip", `LWIP_DIR=${lwipSource()}`);
    } else {
      ensure("cmake", "cmake");
      ensure("wasm-objdump", "wabt"); // the module's memory size, for WAMR's static linear-memory region
      if (!existsSync(join(root, "build", "petrel.wasm"))) fail("build/petrel.wasm is missing: run npm run build");
      make("-s", "-f", "boards/mps2-an386/Makefile", "FIRMWARE=wamr");
    }
  }
}

/** lwIP 2.1.3 from Debian's source package, unpacked once into build/lwip-src (never committed):
 *  adds a deb-src line for bookworm when apt has none, then `apt-get source lwip`. */
function lwipSource() {
  const dir = join(root, "build", "lwip-src");
  const found = () => spawnSync("sh", ["-c", `ls -d ${dir}/lwip-*/src/core 2>/dev/null | head -1`], { encoding: "utf8" }).stdout.trim();
  let core = found();
  if (core) return dirname(dirname(core));
  if (!isRoot) fail("lwIP's source is missing: run as root once (apt-get source lwip)");
  ensure("dpkg-source", "dpkg-dev");
  const hasSrc = spawnSync("sh", ["-c", "grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/"]).status === 0;
  if (!hasSrc) {
    console.log("build-boards: adding a deb-src line for bookworm (/etc/apt/sources.list.d/petrel-src.list)");
    writeFileSync("/etc/apt/sources.list.d/petrel-src.list", "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main\n");
  }
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("sh", ["-c", "apt-get update -qq && apt-get source -qq lwip"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 });
  core = found();
  if (r.status !== 0 || !core) fail("apt-get source lwip failed");
  return dirname(dirname(core));
}

ensure("make", "make");
ensure("gcc", "gcc");
if (mps2Arg) {
  buildMps2(mps2Arg.includes("=") ? mps2Arg.slice(7).split(",").filter(Boolean) : MPS2_FIRMWARES);
  if ([...args].every((a) => a.startsWith("--mps2"))) process.exit(0); // nothing else asked for
}
if (linux) {
  ensure("wasm2c", "wabt");
  ensure("cmake", "cmake");
  if (!existsSync(join(root, "build", "petrel.wasm"))) fail("build/petrel.wasm is missing: run npm run build");
  make("-s", "-f", "boards/linux/Makefile");
  if (profiles) for (const p of ["tiny", "default", "server"]) make("-s", "-f", "boards/linux/Makefile", `PROFILE=${p}`);
}
if (esp32Linux) {
  ensure("cmake", "cmake");
  ensureWorks("echo 'int main(void){return 0;}' | gcc -m32 -x c - -o /dev/null", "gcc-multilib");
  const tiny = join(root, "build", "petrel-tiny.wasm");
  if (!existsSync(tiny)) fail("build/petrel-tiny.wasm is missing: run npm run build");
  make("-s", "-f", "boards/linux/Makefile", "wamr", "WAMR_TARGET=X86_32", `WAMR_POOL=${kconfigTiny("PETREL_WAMR_POOL_SIZE")}`,
    `WAMR_STACK=${kconfigTiny("PETREL_WASM_STACK_SIZE")}`, `WASM=${tiny}`, `OUT=${join(root, "build", "linux", "esp32-tiny")}`);
  if (spawnSync(join(root, "build", "linux", "esp32-tiny", "petrel-linux-wamr"), ["--version"], { stdio: "ignore" }).status !== 0) ensure("qemu-i386", "qemu-user");
}
if (esp32) {
  ensure("riscv64-unknown-elf-gcc", "gcc-riscv64-unknown-elf");
  ensure("/usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs", "picolibc-riscv64-unknown-elf");
  make("-s", "-f", "boards/esp32/stubs/Makefile", "check");
}
