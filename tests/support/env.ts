// What a test needs from the machine (root, a Debian tool) and how it is obtained. A test that
// cannot get what it needs skips with a loud reason; under CI=true that skip is a failure instead,
// because CI must run everything.
import { execFileSync, spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";

export const IN_CI = process.env.CI === "true";

/** Skip (or, in CI, fail) with `reason`. */
export function unavailable(t: TestContext, reason: string): void {
  if (IN_CI) assert.fail(`required under CI=true: ${reason}`);
  t.skip(reason);
}

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Make sure a Debian package's command exists, installing it with apt-get when we are root.
 *  Returns null when it is there, else why not. Bounded: apt-get gets 10 minutes. */
export function ensureDebianTool(cmd: string, pkg: string): string | null {
  if (hasCommand(cmd)) return null;
  if (!isRoot()) return `${cmd} is not installed and installing ${pkg} needs root (apt-get install ${pkg})`;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    execFileSync("sh", ["-c", `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${pkg}`],
      { env, stdio: ["ignore", "ignore", "pipe"], timeout: 600_000 });
  } catch (e) {
    return `apt-get install ${pkg} failed: ${(e as Error).message.split("\n")[0]}`;
  }
  return hasCommand(cmd) ? null : `${pkg} installed but ${cmd} is still missing`;
}
