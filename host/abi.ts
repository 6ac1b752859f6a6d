// The ABI's names and numbers (docs/abi.md), the only table of them on the host side. They are not
// copied here: scripts/build.mjs extracts them from assembly/ into build/abi.json, and this file
// imports that JSON (Node, tsx and esbuild all read a JSON import, so a browser bundle carries the
// same table). tests/build/abi.test.ts checks the C copies and the module's answers against it.
import abi from "../build/abi.json" with { type: "json" };

type Table = Record<string, number>;
/** name → number for every table ("COUNT" is the size of counters, regions and Cfg). */
export const ABI: { errors: Table; counters: Table; regions: Table; Cfg: Table; State: Table; Ev: Table; Opt: Table } = abi;

/** Connection states (tcp_state, the STATE event's argument). */
export const State = abi.State;
export type StateName = keyof typeof abi.State;
/** Event kinds of the event ring (ev_pop). */
export const Ev = abi.Ev;
export type EvName = keyof typeof abi.Ev;
/** Negative Linux errno codes the core returns. */
export const Errno = abi.errors;
export type ErrnoName = keyof typeof abi.errors;
/** tcp_set_option / tcp_set_default ids. */
export const Opt = abi.Opt;
export type ConfigName = Exclude<keyof typeof abi.Cfg, "COUNT">;
/** config(id) names, in id order. */
export const CONFIG_NAMES: readonly ConfigName[] = (Object.keys(abi.Cfg) as (keyof typeof abi.Cfg)[])
  .filter((n): n is ConfigName => n !== "COUNT")
  .sort((a, b) => abi.Cfg[a] - abi.Cfg[b]);
