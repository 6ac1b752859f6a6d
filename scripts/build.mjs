#!/usr/bin/env node
// Builds the core once per profile: asc (stub runtime, abort → petrel.panic), then binaryen's
// wasm-opt -Oz with exactly the features the boards run. Prints each profile's memory map and
// fails when the regions do not fit the profile's pages. Writes build/abi.json (names of errors,
// counters, regions, states, events, extracted from the AssemblyScript sources) and
// build/memory-map.json.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => `${root}node_modules/.bin/${name}`;
const { values } = parseArgs({ options: { profile: { type: "string", multiple: true }, quiet: { type: "boolean" } } });
const asconfig = JSON.parse(readFileSync(`${root}asconfig.json`, "utf8"));
const profiles = values.profile ?? Object.keys(asconfig.targets);
// The WebAssembly features WAMR 2.x runs on an ESP32 (docs/abi.md). Never -all.
export const FEATURES = ["--enable-sign-ext", "--enable-mutable-globals", "--enable-nontrapping-float-to-int", "--enable-bulk-memory"];

mkdirSync(`${root}build`, { recursive: true });

/** `export namespace X { @inline export const NAME: i32 = N; … }` → { X: { NAME: N } } */
function namespaces(file) {
  const src = readFileSync(`${root}${file}`, "utf8");
  const out = {};
  for (const m of src.matchAll(/export namespace (\w+) \{([\s\S]*?)\n\}/g)) {
    const consts = {};
    for (const c of m[2].matchAll(/export const (\w+): i32 = (-?\d+);/g)) consts[c[1]] = Number(c[2]);
    out[m[1]] = consts;
  }
  return out;
}
const abi = {
  errors: namespaces("assembly/errors.ts").Err,
  counters: namespaces("assembly/counters.ts").C,
  regions: namespaces("assembly/storage/layout.ts").Region,
  ...namespaces("assembly/socket/constants.ts"),
};
writeFileSync(`${root}build/abi.json`, JSON.stringify(abi, null, 2) + "\n");

const maps = {};
let failed = false;
for (const profile of profiles) {
  const target = asconfig.targets[profile];
  if (!target) throw new Error(`unknown profile ${profile}; asconfig.json has ${Object.keys(asconfig.targets)}`);
  const raw = `${root}build/petrel-${profile}.raw.wasm`;
  execFileSync(bin("asc"), ["assembly/index.ts", "--config", "asconfig.json", "--target", profile, "-o", raw], { cwd: root, stdio: "inherit" });
  const out = `${root}${target.outFile}`;
  execFileSync(bin("wasm-opt"), [raw, "-Oz", ...FEATURES, "-o", out], { cwd: root, stdio: "inherit" });
  const bytes = readFileSync(out);
  const { instance } = await WebAssembly.instantiate(bytes, {
    petrel: { tx() {}, panic(code, line) { throw new Error(`panic ${code} at line ${line}`); } },
  });
  const x = instance.exports;
  const rc = x.init(0x0200, 0x00000001, 0xc6120002, 24, 0xc6120001, 1, 2);
  const pages = target.maximumMemory;
  const regionNames = Object.fromEntries(Object.entries(abi.regions).filter(([n]) => n !== "COUNT").map(([n, v]) => [v, n]));
  const rows = [];
  for (let id = 0; id < x.mem_region_count(); id++) rows.push({ region: regionNames[id], start: x.mem_region_start(id), bytes: x.mem_region_size(id) });
  const end = x.mem_end();
  maps[profile] = { wasmBytes: statSync(out).size, pages, memoryBytes: pages * 65536, usedBytes: end, regions: rows };
  if (!values.quiet) {
    console.log(`\n${profile}: ${statSync(out).size} bytes of wasm, memory ${pages} pages (${pages * 64} KiB), used ${end} bytes`);
    for (const r of rows) console.log(`  ${r.region.padEnd(12)} @${String(r.start).padStart(8)}  ${String(r.bytes).padStart(9)} B`);
  }
  if (rc !== 0 || end > pages * 65536) {
    console.error(`${profile}: the regions (${end} bytes) do not fit ${pages} pages (init returned ${rc})`);
    failed = true;
  }
}
if (profiles.includes("default")) copyFileSync(`${root}build/petrel-default.wasm`, `${root}build/petrel.wasm`);
writeFileSync(`${root}build/memory-map.json`, JSON.stringify(maps, null, 2) + "\n");
if (failed) process.exit(1);
