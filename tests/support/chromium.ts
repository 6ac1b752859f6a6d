// Debian's chromium driven by puppeteer-core (no browser download): installed through apt-get when
// missing (root), launched headless with --no-sandbox (tests run as root in CI), always bounded.
import puppeteer, { type Browser } from "puppeteer-core";
import { execFileSync } from "node:child_process";
import { ensureDebianTool } from "./env.ts";

/** Null when chromium is there (installing it if needed), else why not. */
export function ensureChromium(): string | null {
  return ensureDebianTool("chromium", "chromium");
}

export function chromiumPath(): string {
  return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
}

export async function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check"],
    protocolTimeout: 60_000,
    timeout: 30_000,
  });
}
