// The simulator runs in a browser: the browser-neutral part of host/ (core.ts, abi.ts,
// wasm-source.ts, emitter.ts, stack/, time/, link/, packet/, sim/) and the page (web/) import no Node
// builtin, neither directly nor through another file, and uses none of Node's globals. Imports are resolved by
// esbuild as a browser bundler resolves them (package.json "imports" conditions included); the
// globals by TypeScript without Node's types (tsconfig.browser.json).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build, type Metafile, type Plugin } from "esbuild";
import { ROOT } from "../../host/node/files.ts";

const NEUTRAL = ["host/core.ts", "host/abi.ts", "host/wasm-source.ts", "host/emitter.ts", "host/stack", "host/time", "host/link", "host/packet", "host/sim", "web"];
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (spec: string): boolean => spec.startsWith("node:") || BUILTINS.has(spec) || BUILTINS.has(spec.split("/")[0]!);

/** Every .ts file of the listed files and folders (relative to root). */
function tsFiles(root: string, entries: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(join(root, p)).isDirectory()) for (const e of readdirSync(join(root, p)).sort()) walk(`${p}/${e}`);
    else if (p.endsWith(".ts")) out.push(p);
  };
  for (const e of entries) walk(e);
  return out;
}

/** Builtins are left external (and recorded in the metafile) instead of failing the build. */
const builtinsExternal: Plugin = {
  name: "builtins-external",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (a) => (isBuiltin(a.path) ? { path: a.path, external: true } : undefined));
  },
};

/**
 * "<file> imports <builtin> (reached from <entry> → … → <file>)" for every Node builtin that the
 * entries reach, following the import graph esbuild resolved for platform "browser".
 */
export async function nodeImports(root: string, entries: string[]): Promise<string[]> {
  const r = await build({
    absWorkingDir: root, entryPoints: entries, bundle: true, write: false, metafile: true, outdir: "out",
    platform: "browser", format: "esm", logLevel: "silent", plugins: [builtinsExternal],
  });
  const inputs: Metafile["inputs"] = r.metafile!.inputs;
  // shortest chain from an entry to each file
  const via = new Map<string, string | null>(entries.map((e) => [e, null]));
  const queue = [...entries];
  for (let i = 0; i < queue.length; i++) {
    for (const imp of inputs[queue[i]!]?.imports ?? []) {
      if (imp.external || via.has(imp.path)) continue;
      via.set(imp.path, queue[i]!);
      queue.push(imp.path);
    }
  }
  const chain = (f: string): string => {
    const path: string[] = [];
    for (let p: string | null | undefined = f; p; p = via.get(p)) path.unshift(p);
    return path.join(" → ");
  };
  const found: string[] = [];
  for (const f of queue) {
    for (const imp of inputs[f]?.imports ?? []) {
      if (imp.external && isBuiltin(imp.path)) found.push(`${f} imports ${imp.path} (reached from ${chain(f)})`);
    }
  }
  return found;
}

test("browser-neutral host/ imports no Node builtin, directly or through another file", async () => {
  const files = tsFiles(ROOT, NEUTRAL);
  assert.ok(files.includes("host/sim/sim.ts") && files.includes("host/core.ts"), "the set is where it is said to be");
  assert.deepEqual(await nodeImports(ROOT, files), []);
});

test("control: the check names a builtin imported through another file, and the file and import", async () => {
  const dir = mkdtempSync(join(tmpdir(), "petrel-neutral-"));
  try {
    mkdirSync(join(dir, "sim"));
    writeFileSync(join(dir, "sim", "a.ts"), `import { b } from "./b.ts";\nexport const a = b + 1;\n`);
    writeFileSync(join(dir, "sim", "b.ts"), `import { readFileSync } from "fs";\nimport { join } from "node:path";\nexport const b = readFileSync(join("x")).length;\n`);
    writeFileSync(join(dir, "sim", "c.ts"), `export const c = 1;\n`);
    assert.deepEqual(await nodeImports(dir, ["sim/a.ts", "sim/c.ts"]), [
      "sim/b.ts imports fs (reached from sim/a.ts → sim/b.ts)",
      "sim/b.ts imports node:path (reached from sim/a.ts → sim/b.ts)",
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("host/sim/index.ts bundles for the browser (esbuild, platform browser, nothing external)", async () => {
  const r = await build({
    absWorkingDir: ROOT, entryPoints: ["host/sim/index.ts"], bundle: true, write: false, metafile: true, outdir: "out",
    platform: "browser", format: "esm", logLevel: "silent",
  });
  assert.deepEqual(r.errors, []);
  const inputs = Object.keys(r.metafile!.inputs);
  assert.ok(inputs.includes("host/wasm-source.ts") && !inputs.includes("host/node/wasm-source.ts"), "#wasm-source resolves to the browser's module source");
  assert.ok(inputs.includes("build/abi.json"), "the ABI table is bundled");
  for (const f of inputs) assert.ok(!/^host\/(node|cli|apps)\//.test(f), `${f} is Node-only`);
});

test("browser-neutral host/ typechecks without Node's types (no Buffer, process, setImmediate…)", () => {
  const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.browser.json"], { cwd: ROOT, encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
