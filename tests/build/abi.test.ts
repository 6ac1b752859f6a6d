// One source for the ABI's numbers: scripts/build.mjs extracts them from assembly/ into
// build/abi.json and build/petrel_abi.h. Every hand copy (the boards' C headers, the Node host's
// tables) must agree with them, and the module itself must answer with them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CONFIG_NAMES } from "../../host/abi.ts";
import { Core } from "../../host/core.ts";
import { ROOT } from "../../host/node/files.ts";
import { errnoOf } from "../../host/node/net-common.ts";

type Abi = { errors: Record<string, number>; counters: Record<string, number>; State: Record<string, number>; Ev: Record<string, number>; Opt: Record<string, number>; Cfg: Record<string, number> };
const abi = JSON.parse(readFileSync(join(ROOT, "build", "abi.json"), "utf8")) as Abi;
const ids = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).filter(([n]) => n !== "COUNT"));

test("the module answers with build/abi.json's numbers (config ids, counter count, an error)", () => {
  const core = new Core();
  const x = core.x as unknown as Record<string, (...a: number[]) => number>;
  assert.equal(x.counter_count!(), abi.counters.COUNT);
  assert.equal(x.config!(abi.Cfg.MAX_CONNS!), core.config().MAX_CONNS);
  assert.equal(x.config!(abi.Cfg.COUNT!), abi.errors.EINVAL, "the first id past the table is EINVAL");
  for (const [name, id] of Object.entries(ids(abi.Cfg))) assert.ok(x.config!(id) >= 0, `config(${name}) answers`);
});

test("config(id) reports, for every id and profile, the setting of that name (config.ts default or the profile's PETREL_ override)", () => {
  // config.ts: `export const NAME: T = isDefined(PETREL_X) ? PETREL_X : N;` or `= N;`
  const src = readFileSync(join(ROOT, "assembly", "config.ts"), "utf8");
  const setting = new Map<string, { define?: string; value: number }>();
  for (const m of src.matchAll(/^@inline export const (\w+): \w+ = (?:isDefined\((\w+)\) \? \w+ : )?([\d_]+);/gm)) {
    setting.set(m[1]!, { define: m[2], value: Number(m[3]!.replaceAll("_", "")) });
  }
  const asconfig = JSON.parse(readFileSync(join(ROOT, "asconfig.json"), "utf8")) as { targets: Record<string, { use?: string[] }> };
  for (const [profile, target] of Object.entries(asconfig.targets)) {
    const overrides = new Map((target.use ?? []).map((u) => u.split("=")).filter((kv) => kv.length === 2).map(([k, v]) => [k!, Number(v)]));
    const bytes = readFileSync(join(ROOT, "build", `petrel-${profile}.wasm`));
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { petrel: { tx() {}, panic() {}, trace() {} } });
    const config = exports.config as (id: number) => number;
    for (const [name, id] of Object.entries(ids(abi.Cfg))) {
      const s = setting.get(name);
      assert.ok(s, `config.ts defines ${name}`);
      const want = s.define && overrides.has(s.define) ? overrides.get(s.define) : s.value;
      assert.equal(config(id), want, `${profile}: config(${name} = ${id})`);
    }
  }
});

test("host/core.ts names codes, states, events and config ids from build/abi.json (host/abi.ts)", () => {
  const core = new Core();
  for (const [name, v] of Object.entries(abi.errors)) assert.equal(core.errorName(v), name);
  for (const [name, v] of Object.entries(abi.State)) assert.equal(core.stateName(v), name);
  for (const [name, v] of Object.entries(abi.Ev)) assert.equal(core.evName(v), name);
  // config() lists the values in id order: the boards print theirs as an array in that order
  assert.deepEqual(Object.keys(core.config()), Object.entries(ids(abi.Cfg)).sort((a, b) => a[1] - b[1]).map(([n]) => n));
  assert.deepEqual(CONFIG_NAMES, Object.keys(core.config()));
});

// errnos the Node layer makes up itself (never returned by the core), with Linux's numbers
const HOST_ONLY_ERRNOS: Record<string, number> = { EADDRNOTAVAIL: -99 };

test("host/node/net-common.ts: every errno errnoOf maps is the core's, or one the host raises itself", () => {
  for (const [name, v] of Object.entries(errnoOf)) {
    const want = abi.errors[name] ?? HOST_ONLY_ERRNOS[name];
    assert.notEqual(want, undefined, `errnoOf maps ${name}, which neither the core nor the host raises`);
    assert.equal(v, want, `${name}`);
  }
});

/** A C file that includes the generated header and `header`, and checks each copy at compile time. */
function checkC(header: string, includes: string[], map: [RegExp, keyof Abi, string][]): string {
  const src = readFileSync(header, "utf8");
  const lines: string[] = [];
  for (const [re, group, prefix] of map) {
    for (const m of src.matchAll(re)) {
      const name = m[1]!;
      const value = abi[group][name];
      assert.notEqual(value, undefined, `${header}: ${m[0]} has no counterpart in build/abi.json ${group}`);
      lines.push(`_Static_assert(${m[0]} == PETREL_${prefix}${name}, "${m[0]}");`);
    }
  }
  return [`#include "petrel_abi.h"`, ...includes.map((i) => `#include "${i}"`), ...lines, ""].join("\n");
}

function compile(code: string, incs: string[]): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "petrel-abi-"));
  try {
    writeFileSync(join(dir, "check.c"), code);
    const r = spawnSync("gcc", ["-std=gnu11", "-fsyntax-only", "-Werror", "-I", join(ROOT, "build"), ...incs.flatMap((i) => ["-I", i]), join(dir, "check.c")], { encoding: "utf8", timeout: 30_000 });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("boards/common/core.h: its event, state and config enums and PETREL_E* errnos equal build/petrel_abi.h (gcc _Static_assert)", () => {
  const h = join(ROOT, "boards", "common", "core.h");
  const code = checkC(h, ["core.h"], [[/\bEV_([A-Z_]+)\b/g, "Ev", "EV_"], [/\bST_([A-Z0-9_]+)\b/g, "State", "ST_"], [/\bCFG_((?!COUNT\b)[A-Z_]+)\b/g, "Cfg", "CFG_"], [/\bPETREL_(E[A-Z]+)\b/g, "errors", ""]]);
  assert.match(code, /EV_CONNECTED == PETREL_EV_CONNECTED/);
  const r = compile(code, [join(ROOT, "boards", "common")]);
  assert.equal(r.status, 0, r.stderr);
  const bad = compile(code.replace("EV_READABLE == PETREL_EV_READABLE", "EV_READABLE == PETREL_EV_WRITABLE"), [join(ROOT, "boards", "common")]);
  assert.match(bad.stderr, /static assertion failed: "EV_READABLE"/, "a value that differs fails the check");
});

test("boards/esp32/include/petrel_port.h: its PETREL_EV_/PETREL_ST_ enums and PETREL_EAGAIN equal build/petrel_abi.h", () => {
  const h = join(ROOT, "boards", "esp32", "include", "petrel_port.h");
  const src = readFileSync(h, "utf8");
  // the component's public header carries its own copy (an ESP-IDF app includes only it); the
  // generated header would redefine the same names, so compare by value under other names
  const names: string[] = [];
  for (const m of src.matchAll(/\bPETREL_(EV|ST)_([A-Z0-9_]+)\b/g)) {
    const group = m[1] === "EV" ? abi.Ev : abi.State;
    assert.notEqual(group[m[2]!], undefined, `petrel_port.h: ${m[0]} has no counterpart in build/abi.json`);
    names.push(`_Static_assert(${m[0]} == ${group[m[2]!]}, "${m[0]}");`);
  }
  assert.ok(names.length >= 19, `found the header's copies (${names.length})`);
  names.push(`_Static_assert(PETREL_EAGAIN == ${abi.errors.EAGAIN}, "PETREL_EAGAIN");`);
  const r = compile([`#include "petrel_port.h"`, ...names, ""].join("\n"), [join(ROOT, "boards", "esp32", "include"), join(ROOT, "boards", "esp32", "stubs", "include")]);
  assert.equal(r.status, 0, r.stderr);
});
