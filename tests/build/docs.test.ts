// docs/conformance.md must stay true to itself: the counts table and the Untested list are derived
// from the requirement tables (scripts/conformance.mjs), and every test it names must exist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { regenerate, parseTables } from "../../scripts/conformance.mjs";

const root = new URL("../..", import.meta.url).pathname;
const md = readFileSync(join(root, "docs/conformance.md"), "utf8");

test("docs/conformance.md: the counts table and the Untested list match the tables (node scripts/conformance.mjs)", () => {
  assert.equal(regenerate(md), md);
});

test("docs/conformance.md: every sim test it names exists", () => {
  const dir = join(root, "tests/sim");
  const names = new Map<string, string>();
  for (const f of readdirSync(dir)) if (f.endsWith(".test.ts")) names.set(f.replace(/\.test\.ts$/, ""), readFileSync(join(dir, f), "utf8"));
  const missing: string[] = [];
  for (const t of parseTables(md)) {
    for (const r of t.rows) {
      // `sim/<file>: "name"; "name" …` — each quoted name must appear in that file
      for (const part of r.test.split(/;\s*(?=(?:sim|unit|build|interop|boards|pcap)\/)/)) {
        const m = /^sim\/([\w-]+):(.*)$/.exec(part.trim());
        if (!m) continue;
        const src = names.get(m[1]!);
        for (const q of m[2]!.matchAll(/"([^"]+)"/g)) {
          // "…" abbreviates a name: every fragment between them must be in the file
          const parts = q[1]!.split("…").map((x) => x.trim()).filter(Boolean);
          if (!src || !parts.every((x) => src.includes(x))) missing.push(`${t.rfc} ${r.req}: sim/${m[1]}: "${q[1]}"`);
        }
      }
    }
  }
  assert.deepEqual(missing, []);
});
