// Node-only: where the project and its build live on disk, and writing an output file.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Profile } from "../wasm-source.ts";

/** The project's root folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILD_DIR = join(ROOT, "build");

export function wasmPathFor(profile?: Profile): string {
  return join(BUILD_DIR, profile ? `petrel-${profile}.wasm` : "petrel.wasm");
}

/** Write `data` to `path` (relative to the working directory), creating its folder; returns the absolute path. */
export function writeOutput(path: string, data: Uint8Array | string): string {
  const abs = resolve(path);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, data);
  return abs;
}
