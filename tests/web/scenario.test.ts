// The browser simulator's scenario (the URL) and its run, in Node: the same modules the page bundles.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD_DIR } from "../../host/node/files.ts";
import { parseScenario, presetDefaults, PRESETS, scenarioQuery, type PresetName } from "../../web/scenario.ts";
import { Simulation } from "../../web/simulation.ts";

const wasm = (p: string): Uint8Array => readFileSync(join(BUILD_DIR, `petrel-${p}.wasm`));
const run = (query: string): Simulation => {
  const sim = new Simulation(parseScenario(query).scenario, wasm);
  sim.runToEnd();
  assert.equal(sim.error, null, `${query}: ${sim.error}`);
  return sim;
};

test("a query string gives the preset's values overridden by the parameters given; scenarioQuery writes only what differs", () => {
  const { scenario, problems } = parseScenario("preset=lossy&seed=9&loss=0.2&sack=0&profile=tiny");
  assert.deepEqual(problems, []);
  assert.deepEqual(scenario, { ...presetDefaults("lossy"), seed: 9, loss: 0.2, sack: false, profile: "tiny" });
  assert.equal(scenarioQuery(scenario), "preset=lossy&seed=9&loss=0.2&profile=tiny&sack=0");
  for (const p of Object.keys(PRESETS) as PresetName[]) assert.deepEqual(parseScenario(scenarioQuery(presetDefaults(p))).scenario, presetDefaults(p));
});

test("a value out of range or malformed is not used: the preset's stays, and a one-line problem names the parameter and the range", () => {
  const { scenario, problems } = parseScenario("preset=nope&loss=2&seed=-1&bytes=1e9&clients=4&service=ftp&ws=maybe&delay=abc");
  assert.deepEqual(scenario, presetDefaults("transfer"));
  assert.deepEqual(problems, [
    'preset: unknown "nope" (one of transfer, lossy, reorder, zerowin, simopen, synflood)',
    'seed: "-1" is not an integer 0–4294967295',
    'service: "ftp" is not echo/discard/chargen',
    'bytes: "1e9" is not an integer 0–1048576',
    'clients: "4" is not 1–3',
    'loss: "2" is not a probability 0–0.5',
    'delay: "abc" is not 0–1000 ms',
    'ws: "maybe" is not 0 or 1',
  ]);
});

test("every preset runs to the end with every connection between Petrel hosts CLOSED, and does what it is named for", () => {
  const states = (sim: Simulation) => sim.connections().map((c) => `${c.host} ${c.states.join(" ")}`);
  const sum = (sim: Simulation, name: string) => [sim.server, ...sim.clients].reduce((n, s) => n + (s.core.counters()[name] ?? 0), 0);
  for (const p of Object.keys(PRESETS)) {
    const sim = run(`preset=${p}`);
    assert.ok(sim.connections().length >= 2 && sim.connections().every((c) => c.state === "CLOSED"), `${p}: ${states(sim)}`);
  }
  const lossy = run("preset=lossy");
  assert.ok(lossy.msgs.some((m) => m.fate === "lost") && lossy.msgs.some((m) => m.retransmit), "lossy: segments lost and retransmitted");
  const zw = run("preset=zerowin");
  assert.ok(zw.msgs.some((m) => m.from === "server" && m.parsed.tcp && m.parsed.tcp.win === 0), "zerowin: the server advertises a zero window");
  const probes = zw.msgs.filter((m) => m.from === "client" && m.parsed.tcp?.payload.length === 1);
  assert.ok(probes.length >= 2 && probes.every((p) => p.relSeq === probes[0]!.relSeq), "zerowin: the client probes the zero window with one byte, again and again");
  const so = run("preset=simopen");
  for (const c of so.connections()) assert.deepEqual(c.states.slice(0, 4), ["CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"], `simopen: ${c.host}`);
  assert.ok(!so.msgs.some((m) => m.retransmit), "simopen: a SYN,ACK after one's own SYN is not a retransmission");
  const flood = run("preset=synflood");
  assert.ok(flood.lanes.includes("attacker") && flood.msgs.filter((m) => m.from === "attacker").length === 24, "synflood: 24 forged SYNs");
  assert.ok(sum(flood, "TCP_SYN_COOKIES_SENT") > 0, "synflood: the server answers the real client with a SYN cookie");
  const reorder = run("preset=reorder");
  assert.ok(reorder.msgs.some((m) => m.reordered), "reorder: frames held back");
  const two = run("service=chargen&clients=2");
  assert.equal(two.connections().length, 4, "two clients: two connections, two ends each");
  assert.deepEqual([...two.received.entries()].filter(([k]) => k.startsWith("client")).map(([, n]) => n), [4000, 4000], "each chargen client read the server's 4000 bytes");
  assert.deepEqual([...two.received.entries()].filter(([k]) => k.startsWith("server")).map(([, n]) => n), [0, 0], "the chargen server reads nothing");
});

test("the same scenario gives the same run: trace, wire and pcap, frame for frame", () => {
  const q = "preset=lossy&seed=21&dup=0.05&reorder=0.05&corrupt=0.02";
  const a = new Simulation(parseScenario(q).scenario, wasm);
  const b = new Simulation(parseScenario(q).scenario, wasm);
  for (let i = 0; i < 10_000 && !a.finished; i++) {
    a.stepFrame();
    b.stepFrame();
    assert.equal(b.trace(), a.trace(), `frame ${i}`);
  }
  assert.ok(a.finished && b.finished);
  assert.deepEqual(b.pcap(), a.pcap());
  const c = run(q.replace("seed=21", "seed=22"));
  assert.notEqual(c.trace(), a.trace());
});
