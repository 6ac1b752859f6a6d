// Where a Core finds its module when CoreOptions.wasm is not given: the modules provided with
// provideModule (a browser page fetches and compiles them itself). Under Node, package.json's
// "imports" maps "#wasm-source" to host/node/wasm-source.ts instead, which also reads
// build/petrel[-<profile>].wasm; bundlers for the browser take this file.

/** The build's profiles: build/petrel-<profile>.wasm; undefined = build/petrel.wasm (the release). */
export type Profile = "tiny" | "default" | "server";

const provided = new Map<Profile | undefined, WebAssembly.Module>();

/** Make `wasm` the module of `profile` (undefined = the release module) for every Core created after. */
export function provideModule(profile: Profile | undefined, wasm: WebAssembly.Module | Uint8Array): void {
  provided.set(profile, wasm instanceof WebAssembly.Module ? wasm : new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>));
}

export function providedModule(profile: Profile | undefined): WebAssembly.Module | undefined {
  return provided.get(profile);
}

export function defaultModule(profile: Profile | undefined): WebAssembly.Module {
  const m = provided.get(profile);
  if (!m) throw new Error(`no wasm module for profile ${profile ?? "release"}: pass CoreOptions.wasm or call provideModule() first`);
  return m;
}
