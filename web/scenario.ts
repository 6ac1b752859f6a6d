// A scenario of the browser simulator: what the hosts do and how the wire behaves. It lives in the
// page's URL (`?preset=lossy&seed=7&loss=0.1`): a preset supplies the defaults and every parameter
// given overrides one, so the same URL always describes the same run. Parsing never throws: a value
// out of range is replaced by the preset's and reported in `problems`.
import type { Profile } from "../host/core.ts";

export const PRESETS = {
  transfer: "Echo transfer",
  lossy: "Lossy transfer",
  reorder: "Reordering",
  zerowin: "Zero window",
  simopen: "Simultaneous open",
  synflood: "SYN flood",
} as const;
export type PresetName = keyof typeof PRESETS;

export const SERVICES = ["echo", "discard", "chargen"] as const;
export type ServiceName = (typeof SERVICES)[number];
export const PROFILES: readonly Profile[] = ["tiny", "default", "server"];

export interface Scenario {
  preset: PresetName;
  seed: number;
  /** The service the server runs: echo (7), discard (9), chargen (19). */
  service: ServiceName;
  /** Bytes the client sends (echo, discard) or the server's chargen sends. */
  bytes: number;
  /** Petrel clients, each a core of its own (1–3). */
  clients: number;
  /** Per-frame probabilities on every host's transmit side. */
  loss: number;
  reorder: number;
  dup: number;
  corrupt: number;
  /** One-way delay between two hosts, ms. */
  delay: number;
  /** Transmit rate per host in Mbit/s (0: unlimited). */
  bandwidth: number;
  profile: Profile;
  sack: boolean;
  ts: boolean;
  ws: boolean;
}

const BASE: Scenario = {
  preset: "transfer", seed: 1, service: "echo", bytes: 4000, clients: 1,
  loss: 0, reorder: 0, dup: 0, corrupt: 0, delay: 5, bandwidth: 0, profile: "default", sack: true, ts: true, ws: true,
};

/** What each preset changes from the base scenario. */
const PRESET_VALUES: Record<PresetName, Partial<Scenario>> = {
  transfer: {},
  lossy: { service: "discard", bytes: 40_000, loss: 0.1, seed: 3 },
  reorder: { service: "discard", bytes: 40_000, reorder: 0.15, seed: 5 },
  zerowin: { service: "discard", bytes: 24_000, profile: "tiny" },
  simopen: { service: "echo", bytes: 200 },
  synflood: { service: "echo", bytes: 200 },
};

export function presetDefaults(p: PresetName): Scenario {
  return { ...BASE, ...PRESET_VALUES[p], preset: p };
}

type Field = Exclude<keyof Scenario, "preset">;
/** Order of the parameters in a URL (after preset). */
export const FIELDS: Field[] = ["seed", "service", "bytes", "clients", "loss", "reorder", "dup", "corrupt", "delay", "bandwidth", "profile", "sack", "ts", "ws"];

const num = (lo: number, hi: number, integer = false) => (s: string): number | null => {
  if (!/^\d+(\.\d+)?$/.test(s.trim())) return null;
  const v = Number(s);
  return v >= lo && v <= hi && (!integer || Number.isInteger(v)) ? v : null;
};
const bool = (s: string): boolean | null => (s === "1" || s === "true" ? true : s === "0" || s === "false" ? false : null);
const oneOf = <T extends string>(list: readonly T[]) => (s: string): T | null => (list as readonly string[]).includes(s) ? (s as T) : null;

/** How each field is read from text (null: not acceptable) and the range it must be in. */
export const PARSERS: { [K in Field]: { parse: (s: string) => Scenario[K] | null; range: string } } = {
  seed: { parse: num(0, 0xffff_ffff, true), range: "an integer 0–4294967295" },
  service: { parse: oneOf(SERVICES), range: SERVICES.join("/") },
  bytes: { parse: num(0, 1 << 20, true), range: "an integer 0–1048576" },
  clients: { parse: num(1, 3, true), range: "1–3" },
  loss: { parse: num(0, 0.5), range: "a probability 0–0.5" },
  reorder: { parse: num(0, 0.5), range: "a probability 0–0.5" },
  dup: { parse: num(0, 0.5), range: "a probability 0–0.5" },
  corrupt: { parse: num(0, 0.5), range: "a probability 0–0.5" },
  delay: { parse: num(0, 1000), range: "0–1000 ms" },
  bandwidth: { parse: num(0, 10_000), range: "0–10000 Mbit/s (0: unlimited)" },
  profile: { parse: oneOf(PROFILES), range: PROFILES.join("/") },
  sack: { parse: bool, range: "0 or 1" },
  ts: { parse: bool, range: "0 or 1" },
  ws: { parse: bool, range: "0 or 1" },
};

/** The scenario a query string describes, and a one-line message per value that was not acceptable. */
export function parseScenario(query: string): { scenario: Scenario; problems: string[] } {
  const q = new URLSearchParams(query);
  const problems: string[] = [];
  const p = q.get("preset") ?? "transfer";
  const preset: PresetName = p in PRESETS ? (p as PresetName) : "transfer";
  if (!(p in PRESETS)) problems.push(`preset: unknown "${p}" (one of ${Object.keys(PRESETS).join(", ")})`);
  const s = presetDefaults(preset) as unknown as Record<Field, unknown>;
  for (const f of FIELDS) {
    const raw = q.get(f);
    if (raw === null) continue;
    const v = PARSERS[f].parse(raw);
    if (v === null) problems.push(`${f}: "${raw}" is not ${PARSERS[f].range}`);
    else s[f] = v;
  }
  return { scenario: s as unknown as Scenario, problems };
}

/** The query string of a scenario: the preset and every value that differs from the preset's. */
export function scenarioQuery(s: Scenario): string {
  const d = presetDefaults(s.preset);
  const q = new URLSearchParams({ preset: s.preset });
  for (const f of FIELDS) {
    if (s[f] === d[f]) continue;
    const v = s[f];
    q.set(f, typeof v === "boolean" ? (v ? "1" : "0") : String(v));
  }
  return q.toString();
}
