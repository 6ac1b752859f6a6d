// The page: reads the scenario from the URL, runs it on the simulator (web/simulation.ts over
// host/sim.ts) and redraws the views after every step. `?…&at=N` opens the run paused after N
// frames (how the README's screenshot is taken).
import { FIELDS, parseScenario, presetDefaults, PRESETS, scenarioQuery, type PresetName, type Scenario } from "./scenario.ts";
import { Simulation } from "./simulation.ts";
import { renderSequence } from "./views/sequence.ts";
import { renderStateDiagram } from "./views/state-diagram.ts";
import { renderTsg } from "./views/tsg.ts";

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = $<HTMLFormElement>("scenario");
const modules = new Map<string, WebAssembly.Module>();

/** The core of a profile, fetched and compiled once (asynchronously: browsers limit sync compiles). */
async function wasmFor(profile: string): Promise<WebAssembly.Module> {
  let m = modules.get(profile);
  if (!m) {
    const r = await fetch(`petrel-${profile}.wasm`);
    if (!r.ok) throw new Error(`petrel-${profile}.wasm: HTTP ${r.status}`);
    m = await WebAssembly.compile(await r.arrayBuffer());
    modules.set(profile, m);
  }
  return m;
}

let sim: Simulation | null = null;
let playing = false;
let frames = 0;
let traceShown = 0;
let lastTick = 0;
let budget = 0;

// ── the form ↔ the scenario ────────────────────────────────────────────────────────────────
function fillForm(s: Scenario): void {
  (form.elements.namedItem("preset") as HTMLSelectElement).value = s.preset;
  for (const f of FIELDS) {
    const el = form.elements.namedItem(f) as HTMLInputElement | HTMLSelectElement;
    if (el instanceof HTMLInputElement && el.type === "checkbox") el.checked = s[f] as boolean;
    else el.value = String(s[f]);
  }
}

function formQuery(): string {
  const q = new URLSearchParams();
  q.set("preset", (form.elements.namedItem("preset") as HTMLSelectElement).value);
  for (const f of FIELDS) {
    const el = form.elements.namedItem(f) as HTMLInputElement | HTMLSelectElement;
    q.set(f, el instanceof HTMLInputElement && el.type === "checkbox" ? (el.checked ? "1" : "0") : el.value);
  }
  return q.toString();
}

// ── running ────────────────────────────────────────────────────────────────────────────────
async function load(query: string): Promise<void> {
  const { scenario, problems } = parseScenario(query);
  const box = $("problems");
  box.hidden = problems.length === 0;
  box.textContent = problems.map((p) => `ignored ${p}`).join("\n");
  fillForm(scenario);
  setPlaying(false);
  const at = Number(new URLSearchParams(query).get("at") ?? 0);
  try {
    sim = new Simulation(scenario, await wasmFor(scenario.profile));
  } catch (e) {
    sim = null;
    box.hidden = false;
    box.textContent = `cannot start the run: ${e instanceof Error ? e.message : String(e)}`;
    return;
  }
  frames = 0;
  traceShown = 0;
  $("trace").textContent = "";
  if (Number.isInteger(at) && at > 0) frames += sim.stepFrames(at);
  render();
}

function step(n: number): void {
  if (!sim) return;
  frames += sim.stepFrames(n);
  if (sim.finished) setPlaying(false);
  render();
}

function setPlaying(on: boolean): void {
  playing = on && !!sim && !sim.finished;
  $<HTMLButtonElement>("play").disabled = playing;
  $<HTMLButtonElement>("pause").disabled = !playing;
  if (playing) {
    lastTick = performance.now();
    budget = 1; // the first frame at once
    requestAnimationFrame(tick);
  }
}

function tick(now: number): void {
  if (!playing || !sim) return;
  const speed = Number($<HTMLSelectElement>("speed").value);
  budget += ((now - lastTick) / 1000) * speed;
  lastTick = now;
  const n = Math.min(Math.floor(budget), 2000);
  if (n > 0) {
    budget -= n;
    step(n);
  }
  if (playing) requestAnimationFrame(tick);
}

// ── views ──────────────────────────────────────────────────────────────────────────────────
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function render(): void {
  if (!sim) return;
  const status = $("status");
  status.textContent = `t = ${(sim.now / 1000).toFixed(6)} s · frame ${frames} · ${sim.msgs.length} sent${sim.finished ? ` · finished${sim.error ? `: ${sim.error}` : ""}` : ""}`;
  status.dataset.frames = String(frames);
  status.dataset.finished = sim.finished ? "1" : "0";
  const conns = sim.connections();
  $("states").innerHTML = conns.length
    ? conns.map((c) => renderStateDiagram(c, `${c.host} ${c.local} ↔ ${c.remote}`)).join("")
    : renderStateDiagram(null, "no connection yet");
  const seq = $("sequence");
  const atBottom = seq.scrollTop + seq.clientHeight >= seq.scrollHeight - 40;
  seq.innerHTML = renderSequence(sim, Math.max(700, Math.min(1200, seq.clientWidth - 4)));
  if (atBottom) seq.scrollTop = seq.scrollHeight;
  $("tsg").innerHTML = renderTsg(sim, Math.max(700, Math.min(1200, $("tsg").clientWidth - 4)));
  const lines = sim.net.lines;
  if (lines.length > traceShown) {
    const pre = $("trace");
    const follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 40;
    pre.append(lines.slice(traceShown).join("\n") + "\n");
    traceShown = lines.length;
    if (follow) pre.scrollTop = pre.scrollHeight;
  }
  renderCounters();
}

function renderCounters(): void {
  if (!sim) return;
  const rows: string[] = [];
  for (const s of [...sim.clients, sim.server]) {
    rows.push(`<tr><th colspan="2">${esc(s.name)} ${esc(String(s.ip))}</th></tr>`);
    for (const [k, v] of Object.entries(s.core.nonZeroCounters())) rows.push(`<tr><td>${esc(k)}</td><td class="n">${v}</td></tr>`);
    const f = sim.net.fault(s)?.stats;
    if (f) rows.push(`<tr><td>wire: frames sent / lost / dup / reordered / corrupted</td><td class="n">${f.tx.frames} / ${f.tx.lost} / ${f.tx.duplicated} / ${f.tx.reordered} / ${f.tx.corrupted}</td></tr>`);
  }
  const conns: string[] = [];
  for (const [name, n] of sim.received) conns.push(`<tr><td>${esc(name)} received</td><td class="n">${n} B</td></tr>`);
  const c = sim.sender?.info();
  if (c) conns.push(`<tr><td>data sender: cwnd / ssthresh / rto / srtt</td><td class="n">${c.cwnd ?? "–"} / ${c.ssthresh ?? "–"} / ${c.rtoMs} ms / ${c.srttMs ?? "–"} ms</td></tr>`);
  $("counters").innerHTML = `<table>${conns.join("")}${rows.join("")}</table>`;
}

function downloadPcap(): void {
  if (!sim) return;
  const blob = new Blob([sim.pcap() as Uint8Array<ArrayBuffer>], { type: "application/vnd.tcpdump.pcap" });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = `petrel-${sim.scenario.preset}-seed${sim.scenario.seed}.pcap`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

// ── wiring ─────────────────────────────────────────────────────────────────────────────────
const presetSel = $<HTMLSelectElement>("preset");
for (const [k, v] of Object.entries(PRESETS)) presetSel.add(new Option(v, k));
presetSel.addEventListener("change", () => {
  fillForm(presetDefaults(presetSel.value as PresetName));
  form.requestSubmit();
});
form.addEventListener("submit", (e) => {
  e.preventDefault();
  const { scenario } = parseScenario(formQuery());
  const q = scenarioQuery(scenario);
  history.pushState(null, "", `?${q}`);
  void load(q);
});
window.addEventListener("popstate", () => void load(location.search));
$("play").addEventListener("click", () => setPlaying(true));
$("pause").addEventListener("click", () => setPlaying(false));
$("step").addEventListener("click", () => { setPlaying(false); step(1); });
$("end").addEventListener("click", () => { setPlaying(false); step(Number.MAX_SAFE_INTEGER); });
$("pcap").addEventListener("click", downloadPcap);
void load(location.search);
