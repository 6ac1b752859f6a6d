// Shared by the TCP unit tests (not a spec). A fresh memory map with the TCB pool laid out in it,
// and one allocated TCB: every field zero except what tcbAlloc() sets, with t.ooo / t.sack / the
// rings in place. The segment `seg` and its options `opts` (tcp/segment.ts) are cleared too, so
// no test sees options a previous one left behind.
import { Tcb, tcbAlloc, tcbPoolInit } from "../../../assembly/tcp/tcb";
import { segClear } from "../../../assembly/tcp/segment";
import { layoutEnd } from "../../../assembly/storage/layout";
import { setupMemory } from "../helpers";

/** 64 KiB pages the default pool needs: 16 × (8192 rx + 8192 tx) = 256 KiB of rings, plus the
 *  TCBs, ring headers and range tables (a few KiB). (layoutFits() cannot tell: setupMemory() sets
 *  its overflow flag on purpose, so the test compares the end of the map with the memory size.) */
// @ts-ignore: decorator
@inline const POOL_PAGES: i32 = 5;

export function freshTcb(): Tcb {
  setupMemory(POOL_PAGES);
  tcbPoolInit();
  expect(layoutEnd()).toBeLessThanOrEqual(<usize>memory.size() << 16);
  segClear();
  const t = tcbAlloc();
  if (t == null) unreachable();
  return t!;
}
