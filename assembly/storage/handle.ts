// Handles of the fixed tables (TCP connections, UDP sockets, DNS queries): (generation << 8) | slot,
// the generation 1..127 moving on whenever the slot is freed, so that a stale handle is refused.

/** False until init() has laid out and set up every table (index.ts): until then no handle names
 *  a slot, so the calls that take one answer EBADF without reading a table that is not there. */
export let tablesReady = false;
export function tablesUp(): void { tablesReady = true; }

/** The slot a handle names in a table of n slots, or -1 when h cannot be one of its handles. */
export function handleSlot(h: i32, n: i32): i32 {
  return !tablesReady || h <= 0 || h > 0x7fff || (h & 0xff) >= n ? -1 : h & 0xff;
}

/** The generation after g: 1..127, then 1 again. */
export function nextGen(g: u32): u32 { return g >= 127 ? 1 : g + 1; }
