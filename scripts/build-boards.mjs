#!/usr/bin/env node
// Build the boards from the release modules in build/ (run `npm run build` first):
//   node scripts/build-boards.mjs            boards/linux from build/petrel.wasm → build/linux/petrel-linux
//                                            (wasm2c) and build/linux/petrel-linux-wamr (WAMR, from $WAMR_ROOT)
//   node scripts/build-boards.mjs --profiles also build/linux/{tiny,default,server}/petrel-linux{,-wamr}
//   node scripts/build-boards.mjs --esp32    compile boards/esp32's C against boards/esp32/stubs (gcc)
//   node scripts/build-boards.mjs --all      all of the above
// Installs Debian's wabt (wasm2c), cmake (WAMR's build), gcc and make with apt-get when they are
// missing and we are root. WAMR itself comes from WAMR_ROOT (default ../shared/third_party/wasm-micro-runtime
// beside the project), never from the network.
// Exits non-zero with the reason when something is missing or a build fails.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const all = args.has("--all");
const linux = all || args.has("--profiles") || !args.has("--esp32");
const profiles = all || args.has("--profiles");
const esp32 = all || args.has("--esp32");

const has = (cmd) => spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

function ensure(cmd, pkg) {
  if (has(cmd)) return;
  if (!isRoot) fail(`${cmd} is missing: apt-get install ${pkg} (needs root)`);
  console.log(`build-boards: installing ${pkg} (for ${cmd})`);
  const r = spawnSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkg}`],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, timeout: 600_000 });
  if (r.status !== 0 || !has(cmd)) fail(`apt-get install ${pkg} failed`);
}

function fail(msg) {
  console.error(`build-boards: ${msg}`);
  process.exit(1);
}

function make(...a) {
  const r = spawnSync("make", ["--no-print-directory", ...a], { cwd: root, stdio: "inherit", timeout: 300_000 });
  if (r.status !== 0) fail(`make ${a.join(" ")} failed`);
}

ensure("make", "make");
ensure("gcc", "gcc");
if (linux) {
  ensure("wasm2c", "wabt");
  ensure("cmake", "cmake");
  if (!existsSync(join(root, "build", "petrel.wasm"))) fail("build/petrel.wasm is missing: run npm run build");
  make("-s", "-f", "boards/linux/Makefile");
  if (profiles) for (const p of ["tiny", "default", "server"]) make("-s", "-f", "boards/linux/Makefile", `PROFILE=${p}`);
}
if (esp32) make("-s", "-f", "boards/esp32/stubs/Makefile", "check");
