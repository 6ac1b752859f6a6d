#!/usr/bin/env node
// docs/conformance.md keeps two derived parts: the counts table at the top and the "Untested" list
// at the end. This recomputes both from the requirement tables. `node scripts/conformance.mjs`
// rewrites the file; `--check` only reports whether it is up to date (tests/build uses it).
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../docs/conformance.md", import.meta.url);

/** The tables under each "## RFC …" heading: rows of [req, feature, status, where, test]. */
export function parseTables(md) {
  const tables = [];
  let cur = null;
  for (const line of md.split("\n")) {
    const h = /^## (RFC \d+)/.exec(line);
    if (h) { cur = { rfc: h[1], rows: [] }; tables.push(cur); continue; }
    if (/^## /.test(line)) { cur = null; continue; }
    if (!cur || !line.startsWith("| ") || line.startsWith("| Req ") || line.startsWith("|---")) continue;
    const cells = line.slice(1, -1).split(" | ").map((c) => c.trim());
    if (cells.length < 5) continue;
    cur.rows.push({ req: cells[0], feature: cells[1], status: cells[2], test: cells[cells.length - 1] });
  }
  return tables.filter((t) => t.rows.length > 0);
}

const statusOf = (s) => (/^yes\b/.test(s) ? "yes" : /^partial\b/.test(s) ? "partial" : /^n\/a\b/.test(s) ? "n/a" : "no");

export function derive(md) {
  const tables = parseTables(md);
  const total = { rows: 0, yes: 0, partial: 0, no: 0, "n/a": 0 };
  const counts = ["| Table | rows | yes | partial | no | n/a |", "|---|---|---|---|---|---|"];
  const untested = [];
  // one line per RFC, in order of first appearance (an RFC's rows may span several tables)
  const byRfc = new Map();
  for (const t of tables) {
    const c = byRfc.get(t.rfc) ?? { rows: 0, yes: 0, partial: 0, no: 0, "n/a": 0 };
    for (const r of t.rows) {
      const st = statusOf(r.status);
      c.rows++; c[st]++; total.rows++; total[st]++;
      if ((st === "yes" || st === "partial") && r.test === "—") untested.push(`* ${t.rfc} ${r.req} (${st}): ${r.feature}`);
    }
    byRfc.set(t.rfc, c);
  }
  for (const [rfc, c] of byRfc) counts.push(`| ${rfc} | ${c.rows} | ${c.yes} | ${c.partial} | ${c.no} | ${c["n/a"]} |`);
  counts.push(`| **all** | ${total.rows} | ${total.yes} | ${total.partial} | ${total.no} | ${total["n/a"]} |`);
  return { counts: counts.join("\n"), untested: untested.join("\n") };
}

/** md with its counts table and Untested list replaced by what the tables say. */
export function regenerate(md) {
  const { counts, untested } = derive(md);
  const countsRe = /\| Table \| rows \| yes \| partial \| no \| n\/a \|\n(?:\|.*\|\n)+/;
  const untestedRe = /(Rows whose rule is implemented[^\n]*\n\n)((?:\* .*\n)*)/;
  if (!countsRe.test(md) || !untestedRe.test(md)) throw new Error("docs/conformance.md: counts table or Untested list not found");
  return md.replace(countsRe, counts + "\n").replace(untestedRe, (_m, head) => head + (untested ? untested + "\n" : ""));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const md = readFileSync(path, "utf8");
  const next = regenerate(md);
  if (process.argv.includes("--check")) {
    if (next !== md) { console.error("docs/conformance.md: counts or Untested list out of date (run node scripts/conformance.mjs)"); process.exit(1); }
  } else {
    writeFileSync(path, next);
    console.log(derive(next).counts);
  }
}
