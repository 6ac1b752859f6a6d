// `npm run web:screenshot`: docs/img/web-simulator.png, the page of the lossy-transfer preset
// opened paused at a known frame (the URL's `at`), taken in Debian's chromium.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { OUT, root } from "./build-web.mjs";
import { serveStatic } from "./serve-web.mjs";
import { ensureChromium, launchChromium } from "../tests/support/chromium.ts";

export const SCREENSHOT_QUERY = "?preset=lossy&seed=3&at=30";
const out = join(root, "docs/img/web-simulator.png");

const missing = ensureChromium();
if (missing) {
  console.error(`web:screenshot: ${missing}`);
  process.exit(1);
}
const { server, url } = await serveStatic(OUT);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1800 });
  await page.goto(url + SCREENSHOT_QUERY, { timeout: 20_000 });
  await page.waitForSelector('#status[data-frames="30"]', { timeout: 20_000 });
  await page.$eval("#sequence", (e) => (e.scrollTop = 0)); // the handshake: the first SYN lost, sent again after 1 s
  mkdirSync(join(root, "docs/img"), { recursive: true });
  await page.screenshot({ path: out as `${string}.png`, clip: { x: 0, y: 0, width: 1400, height: 1800 } });
  console.log(`wrote ${out} (${url}${SCREENSHOT_QUERY})`);
} finally {
  await browser.close();
  server.close();
}
