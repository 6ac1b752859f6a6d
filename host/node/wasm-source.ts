// Node's "#wasm-source" (package.json "imports"): a provided module, else build/petrel[-<profile>].wasm
// read and compiled once per process. Loading it turns on V8's wasm-into-wasm inlining where V8 has
// it off by default (wasmInlining below).
import { existsSync, readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { providedModule, type Profile } from "../wasm-source.ts";
import { wasmPathFor } from "./files.ts";

export { provideModule, providedModule, type Profile } from "../wasm-source.ts";

/**
 * V8 11 (Node 20) compiles WebAssembly without inlining one wasm function into another unless asked;
 * V8 12 (Node 22) does it by default. The core's size build keeps small helpers as calls (tcbAt in every
 * walk of the connection table, SipHash's round, the sequence-number compares: the C compiler of the
 * boards inlines them again), and each stayed a call under Node's V8: a forged SYN cost the server
 * profile 1.8 µs of CPU instead of 1.1 µs with inlining (1.3 µs before those cuts), so `petrel serve`
 * dropped frames at its TAP under a flood the boards kept up with. The flag changes how V8 compiles
 * wasm (TurboFan tier), not what any program computes; `--no-wasm-inlining` on the command line or in
 * NODE_OPTIONS is respected. Returns whether this call set it.
 */
export function wasmInlining(v8 = process.versions.v8, args: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)]): boolean {
  const major = Number(v8.split(".")[0]);
  if (major !== 11 || args.some((a) => /^--no-(experimental-)?wasm[-_]inlining$/.test(a))) return false;
  setFlagsFromString("--wasm-inlining");
  return true;
}
wasmInlining();

const loaded = new Map<Profile | undefined, WebAssembly.Module>();

export function defaultModule(profile: Profile | undefined): WebAssembly.Module {
  const given = providedModule(profile);
  if (given) return given;
  let m = loaded.get(profile);
  if (!m) {
    const path = wasmPathFor(profile);
    if (!existsSync(path)) throw new Error(`${path} not found: run \`npm run build\` first`);
    m = new WebAssembly.Module(readFileSync(path));
    loaded.set(profile, m);
  }
  return m;
}
