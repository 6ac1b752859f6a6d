// A transfer's options as text: a title, the command line that reproduces it, sizes.
import type { TransferOptions } from "./transfer.ts";

/** "seed 1, 256 KiB each way, loss 2 %, …" for titles and reproduce lines. */
export function describeRun(o: TransferOptions): string {
  const parts = [`seed ${o.seed}`, `${formatBytes(o.bytes)} each way`];
  const pct = (v: number | undefined, what: string): void => { if (v) parts.push(`${what} ${+(v * 100).toFixed(3)} %`); };
  pct(o.loss, "loss"); pct(o.reorder, "reorder"); pct(o.dup, "dup"); pct(o.corrupt, "corrupt");
  parts.push(`delay ${o.delay ?? 1} ms`);
  if (o.jitter) parts.push(`jitter ${o.jitter} ms`);
  if (o.bandwidth) parts.push(`${o.bandwidth} Mbit/s`);
  parts.push(`profile ${o.profile ?? "default"}`);
  const off = [o.sack === false && "SACK", o.timestamps === false && "timestamps", o.wscale === false && "window scaling"].filter(Boolean);
  if (off.length) parts.push(`no ${off.join("/")}`);
  return parts.join(", ");
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/** "256K" → 262144, "1M" → 1048576, "1.5k", "4096", "64KiB"; null when malformed. */
export function parseSize(s: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b)?\s*$/i.exec(s);
  if (!m) return null;
  const mult = { "": 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  const v = Math.round(Number(m[1]) * mult);
  return Number.isSafeInteger(v) ? v : null;
}

/** The command line that reproduces a run (`petrel sim transfer …` once the dispatcher has it). */
export function reproduceCommand(o: TransferOptions, prefix = "npm run -s sim -- transfer"): string {
  const a = [prefix, `--seed ${o.seed}`, `--bytes ${o.bytes % 1024 === 0 && o.bytes ? `${o.bytes / 1024}K` : o.bytes}`];
  if (o.loss) a.push(`--loss ${o.loss}`);
  if (o.reorder) a.push(`--reorder ${o.reorder}`);
  if (o.dup) a.push(`--dup ${o.dup}`);
  if (o.corrupt) a.push(`--corrupt ${o.corrupt}`);
  if (o.delay !== undefined) a.push(`--delay ${o.delay}`);
  if (o.jitter) a.push(`--jitter ${o.jitter}`);
  if (o.bandwidth) a.push(`--bandwidth ${o.bandwidth}`);
  if (o.profile) a.push(`--profile ${o.profile}`);
  if (o.sack === false) a.push("--no-sack");
  if (o.timestamps === false) a.push("--no-timestamps");
  if (o.wscale === false) a.push("--no-wscale");
  if (o.maxSteps) a.push(`--max-steps ${o.maxSteps}`);
  return a.join(" ");
}
