// Build bench/lwip/lwip-tap.c against Debian's liblwip (2.1.3) into build/lwip/lwip-tap, installing
// gcc, pkg-config and liblwip-dev from Debian when they are missing. Used by bench:tap and bench:cpu.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../host/node/files.ts";
import { ensureDebianTool } from "../../tests/support/env.ts";

export const LWIP_BIN = join(ROOT, "build", "lwip", "lwip-tap");

/** Returns the binary's path; throws with the reason when it cannot be built. */
export function buildLwipTap(): string {
  const why = ensureDebianTool("gcc", "gcc") ?? ensureDebianTool("pkg-config", "pkg-config");
  if (why) throw new Error(`lwip-tap: ${why}`);
  const header = "/usr/include/lwip/lwip/init.h"; // liblwip-dev has no command to look for
  if (!existsSync(header)) {
    const apt = spawnSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq --no-install-recommends liblwip-dev"], { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, stdio: "ignore", timeout: 600_000 });
    if (apt.status !== 0 || !existsSync(header)) throw new Error("lwip-tap: apt-get install liblwip-dev failed");
  }
  mkdirSync(join(ROOT, "build", "lwip"), { recursive: true });
  const flags = spawnSync("pkg-config", ["--cflags", "--libs", "lwip"], { encoding: "utf8" }).stdout.trim().split(/\s+/);
  const cc = spawnSync("gcc", ["-O2", "-Wall", "-Wextra", "-o", LWIP_BIN, join(ROOT, "bench", "lwip", "lwip-tap.c"), ...flags], { encoding: "utf8", timeout: 120_000 });
  if (cc.status !== 0) throw new Error(`building lwip-tap: ${cc.stderr}`);
  return LWIP_BIN;
}
