// The browser simulator in headless Chromium (Debian's package, driven by puppeteer-core): the page
// built by `npm run build:web`, served by the same static server as `npm run web`.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import type { Browser, Page } from "puppeteer-core";
import { buildWeb, OUT } from "../../scripts/build-web.mjs";
import { serveStatic } from "../../scripts/serve-web.mjs";
import { ensureChromium, launchChromium } from "../support/chromium.ts";
import { ensureDebianTool, unavailable } from "../support/env.ts";
import { tsharkProblems } from "../support/tshark.ts";

let browser: Browser | null = null;
let server: Server | null = null;
let base = "";
let missing: string | null = null;
const downloads = mkdtempSync(join(tmpdir(), "petrel-web-"));

before(async () => {
  missing = ensureChromium();
  if (missing) return;
  await buildWeb({ ifNeeded: true, quiet: true });
  const s = await serveStatic(OUT);
  server = s.server;
  base = s.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(downloads, { recursive: true, force: true });
});

/** A page at `query`, failing the test on any page error. */
async function open(query: string): Promise<Page> {
  const page = await browser!.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e instanceof Error ? e.message : String(e)));
  await page.goto(base + query, { timeout: 20_000 });
  await page.waitForSelector("#status[data-frames]", { timeout: 20_000 });
  assert.deepEqual(errors, [], "no page error while loading");
  return page;
}

async function runToEnd(page: Page): Promise<void> {
  await page.click("#end");
  await page.waitForSelector('#status[data-finished="1"]', { timeout: 30_000 });
}

const visited = (page: Page) =>
  page.$$eval("svg.state-diagram", (l) => l.map((e) => ({ host: (e as SVGElement).dataset.host!, state: (e as SVGElement).dataset.state!, visited: (e as SVGElement).dataset.visited!.split(" ") })));
const laneStates = (page: Page) =>
  page.$$eval("svg.sequence text.sq-state", (l) => l.map((e) => `${(e as SVGElement).dataset.host} ${(e as SVGElement).dataset.state}`));

test("the default scenario reaches ESTABLISHED and CLOSED on both ends, on the state diagrams and on the sequence diagram", async (t) => {
  if (missing) return unavailable(t, missing);
  const page = await open("");
  const before = await visited(page);
  assert.deepEqual(before.map((d) => d.host), [""], "before the first step: one diagram of no connection");
  // step frame by frame until the client has been ESTABLISHED: the transition just taken is marked
  let client: { state: string; visited: string[] } | undefined;
  for (let i = 0; i < 20 && !client?.visited.includes("ESTABLISHED"); i++) {
    await page.click("#step");
    client = (await visited(page)).find((d) => d.host === "client");
  }
  assert.ok(client?.visited.includes("ESTABLISHED"), `stepping reached ESTABLISHED (${client?.visited})`);
  const last = await page.$$eval("svg.state-diagram[data-host=client] path.edge.last", (l) => l.map((e) => (e as SVGElement).dataset.edge));
  assert.deepEqual(last, [`${client!.visited.at(-2)}>${client!.state}`], "the client's last transition is marked, and only it");
  // then play at full speed to the end
  await page.select("#speed", "1000");
  await page.click("#play");
  await page.waitForSelector('#status[data-finished="1"]', { timeout: 30_000 });
  const diagrams = await visited(page);
  assert.deepEqual(diagrams.map((d) => d.host).sort(), ["client", "server"], "one state diagram per end");
  for (const d of diagrams) {
    assert.ok(d.visited.includes("ESTABLISHED"), `${d.host} went through ESTABLISHED (${d.visited})`);
    assert.equal(d.state, "CLOSED", `${d.host} ends CLOSED`);
  }
  const lit = await page.$$eval("svg.state-diagram g.node.current", (l) => l.map((e) => (e as SVGElement).dataset.state));
  assert.deepEqual(lit, ["CLOSED", "CLOSED"], "the current state is lit");
  const lanes = await laneStates(page);
  for (const h of ["client", "server"]) for (const s of ["ESTABLISHED", "CLOSED"]) assert.ok(lanes.includes(`${h} ${s}`), `sequence diagram shows ${h} ${s}: ${lanes}`);
  const labels = await page.$$eval("svg.sequence g.msg text.sq-label", (l) => l.map((e) => e.textContent));
  assert.match(labels[0]!, /^SYN seq=0 win=\d+ len=0$/, "the first arrow is the client's SYN, labelled like the lecture notes");
  assert.match(labels[1]!, /^SYN\+ACK seq=0 ack=1 win=\d+ len=0$/);
  await page.close();
});

test("a lossy seed shows a segment lost on the wire and its retransmission on the sequence diagram", async (t) => {
  if (missing) return unavailable(t, missing);
  const page = await open("?preset=lossy&seed=3");
  await runToEnd(page);
  const msgs = await page.$$eval("svg.sequence g.msg", (l) => l.map((e) => ({ fate: (e as SVGElement).dataset.fate, rtx: (e as SVGElement).dataset.rtx, label: e.querySelector("text")!.textContent! })));
  const lost = msgs.filter((m) => m.fate === "lost");
  const rtx = msgs.filter((m) => m.rtx === "1");
  assert.ok(lost.length > 0, "some segment was lost");
  assert.ok(rtx.length > 0, "some segment was retransmitted");
  assert.ok(rtx.every((m) => m.label.includes("(retransmission")), "a retransmission is labelled as one");
  // a lost data segment is sent again with the same seq
  const lostData = lost.map((m) => /seq=(\d+) .*len=([1-9]\d*)/.exec(m.label)).filter(Boolean);
  assert.ok(lostData.some((l) => rtx.some((r) => r.label.includes(`seq=${l![1]} `))), "a lost data segment's seq comes again as a retransmission");
  const d = await visited(page);
  assert.ok(d.every((x) => x.state === "CLOSED"), "the transfer still completes");
  await page.close();
});

test("the same URL gives the same run twice: the same trace after the same frame, and at the end", async (t) => {
  if (missing) return unavailable(t, missing);
  const url = "?preset=lossy&seed=11&reorder=0.1&dup=0.05&at=25";
  const runs: { at: string; end: string; frames: string }[] = [];
  for (let i = 0; i < 2; i++) {
    const page = await open(url);
    const at = await page.$eval("#trace", (e) => e.textContent!);
    const frames = await page.$eval("#status", (e) => (e as HTMLElement).dataset.frames!);
    await runToEnd(page);
    runs.push({ at, end: await page.$eval("#trace", (e) => e.textContent!), frames });
    await page.close();
  }
  assert.equal(runs[0]!.frames, "25", "the page opened paused at frame 25");
  assert.ok(runs[0]!.at.split("\n").length > 10 && runs[0]!.end.length > runs[0]!.at.length, "the trace grows after frame 25");
  assert.equal(runs[1]!.at, runs[0]!.at, "same trace at frame 25");
  assert.equal(runs[1]!.end, runs[0]!.end, "same trace at the end");
  // another seed gives another run (the seed is used)
  const other = await open(url.replace("seed=11", "seed=12"));
  assert.notEqual(await other.$eval("#trace", (e) => e.textContent!), runs[0]!.at);
  await other.close();
});

test("the pcap download opens in tshark with every frame well-formed and every checksum right", async (t) => {
  if (missing) return unavailable(t, missing);
  const why = ensureDebianTool("tshark", "tshark");
  if (why) return unavailable(t, why);
  const page = await open("?preset=lossy&seed=3&service=echo&bytes=20000");
  await runToEnd(page);
  const cdp = await page.createCDPSession();
  await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: downloads });
  await page.click("#pcap");
  let file: string | undefined;
  for (let i = 0; i < 100 && !file; i++) {
    file = readdirSync(downloads).find((f) => f.endsWith(".pcap"));
    if (!file) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(file, "a .pcap file was downloaded");
  const frameLines = await page.$eval("#trace", (e) => e.textContent!.split("\n").filter((l) => /^\d+\.\d{6} /.test(l)).length);
  const { frames, flagged } = tsharkProblems(join(downloads, file!));
  assert.equal(frames, frameLines, "one pcap record per frame line of the trace");
  assert.deepEqual(flagged, [], "tshark finds nothing malformed");
  await page.close();
});
