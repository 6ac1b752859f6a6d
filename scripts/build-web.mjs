#!/usr/bin/env node
// `npm run build:web`: bundles the browser simulator (web/main.ts and the host/ simulator code it
// imports) with esbuild into build/web/, beside index.html, style.css and the three profiles' wasm:
// a static folder any web server can serve. The wasm must be built first (`npm run build`);
// `--if-needed` builds it when a profile's module is missing.
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

export const root = new URL("..", import.meta.url).pathname;
export const OUT = join(root, "build/web");
export const PROFILES = ["tiny", "default", "server"];

export async function buildWeb({ ifNeeded = false, quiet = false } = {}) {
  const missing = PROFILES.filter((p) => !existsSync(join(root, `build/petrel-${p}.wasm`)));
  if (missing.length) {
    if (!ifNeeded) throw new Error(`build/petrel-${missing[0]}.wasm not found: run \`npm run build\` first`);
    if (!quiet) console.log(`building the core (${missing.join(", ")} missing)…`);
    execFileSync(process.execPath, [join(root, "scripts/build.mjs"), "--quiet"], { cwd: root, stdio: quiet ? "ignore" : "inherit" });
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [join(root, "web/main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    outfile: join(OUT, "main.js"),
    sourcemap: true,
    logLevel: quiet ? "error" : "warning",
  });
  for (const f of ["index.html", "style.css"]) copyFileSync(join(root, "web", f), join(OUT, f));
  for (const p of PROFILES) copyFileSync(join(root, `build/petrel-${p}.wasm`), join(OUT, `petrel-${p}.wasm`));
  return OUT;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const out = await buildWeb({ ifNeeded: process.argv.includes("--if-needed") });
    console.log(`browser simulator written to ${out}`);
  } catch (e) {
    console.error(`build:web: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
