// Node's "#wasm-source" (package.json "imports"): a provided module, else build/petrel[-<profile>].wasm
// read and compiled once per process.
import { existsSync, readFileSync } from "node:fs";
import { providedModule, type Profile } from "../wasm-source.ts";
import { wasmPathFor } from "./files.ts";

export { provideModule, providedModule, type Profile } from "../wasm-source.ts";

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
