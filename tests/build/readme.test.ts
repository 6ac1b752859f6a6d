// The README's figures come from bench/results.json and build/memory-map.json through
// scripts/readme.mjs: the README must equal its regeneration, and every block the generator knows
// must be in it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generators, load, num, regenerate } from "../../scripts/readme.mjs";

test("README: every figures block equals its regeneration from bench/results.json and build/memory-map.json (node scripts/readme.mjs)", () => {
  const { readme, results, map } = load();
  assert.equal(regenerate(readme, results, map), readme);
});

test("README: it shows every generated figure (memory map, simulator, TAP, footprint, engines, WAMR pool, Cortex-M4)", () => {
  const { readme } = load();
  const shown = [...readme.matchAll(/<!-- figures:(\w+) -->/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(shown)].sort(), Object.keys(generators).sort());
});

test("README: a changed figure in results.json or the memory map changes the README (the check can fail)", () => {
  const { readme, results, map } = load();
  const r2 = structuredClone(results);
  r2.sim.throughput.default.mbPerSec += 1000;
  assert.notEqual(regenerate(readme, r2, map), readme);
  const m2 = structuredClone(map);
  m2.default!.usedBytes += 4;
  assert.notEqual(regenerate(readme, results, m2), readme);
  assert.match(regenerate(readme, results, m2), new RegExp(num(map.default!.usedBytes + 4)));
});

test("README: an unknown figures block is an error, not silently kept", () => {
  const { results, map } = load();
  assert.throws(() => regenerate("<!-- figures:nonesuch -->\nx\n<!-- /figures -->", results, map), /unknown figures block nonesuch/);
});
