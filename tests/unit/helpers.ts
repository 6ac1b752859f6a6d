// Shared fixtures for the unit tests (not a spec: as-pect compiles it into each test that imports it).
import { Region, layoutReset, layoutEnd, regionAlloc } from "../../assembly/storage/layout";
import { countersInit, counterGet } from "../../assembly/counters";
import { tablesUp } from "../../assembly/storage/handle";

// Frames the core handed to petrel.tx, recorded by as-pect.config.cjs.
// @ts-ignore: decorator
@external("testhost", "txCount") export declare function txCount(): i32;
// @ts-ignore: decorator
@external("testhost", "txLen") export declare function txLen(i: i32): i32;
// @ts-ignore: decorator
@external("testhost", "txCopy") export declare function txCopy(i: i32, dst: usize): i32;
// @ts-ignore: decorator
@external("testhost", "txClear") export declare function txClear(): void;

/**
 * Fresh memory map and zeroed counters for one test. as-pect's managed heap (TLSF) lives right
 * after __heap_base, where layoutReset() would start carving; so the map skips to the end of the
 * current memory (that regionAlloc call takes its out-of-memory path and writes nothing) and the
 * pages it then grows are ones TLSF never adds to its pool (it only adds pages it grew itself).
 */
export function setupMemory(pages: i32 = 2): void {
  const warm = new ArrayBuffer(16); // make sure TLSF is initialized before we grow memory
  layoutReset();
  const top = <usize>memory.size() << 16;
  regionAlloc(Region.STATIC, top - layoutEnd() + 1);
  memory.grow(pages);
  countersInit();
  tablesUp();      // as init() does once every table is set up: handles name slots from now on
  txClear();
  if (warm.byteLength != 16) unreachable();
}

/** A scratch buffer of n bytes (test-only; managed memory is fine here). */
export function scratch(n: i32, fill: u8 = 0): usize {
  const b = new ArrayBuffer(n);
  const p = changetype<usize>(b);
  memory.fill(p, fill, <usize>n);
  scratchKeep.push(b);
  return p;
}
const scratchKeep: ArrayBuffer[] = [];

/** Write bytes at p. */
export function put(p: usize, a: u8[]): void {
  for (let i = 0; i < a.length; i++) store<u8>(p + <usize>i, a[i]);
}

/** The bytes at p equal a. */
export function same(p: usize, a: u8[]): bool {
  for (let i = 0; i < a.length; i++) if (load<u8>(p + <usize>i) != a[i]) return false;
  return true;
}

export function ctr(id: i32): u32 { return counterGet(id); }

/** Copy the i-th transmitted frame into a fresh buffer; returns its address (length: txLen(i)). */
export function txFrame(i: i32): usize {
  const n = txLen(i);
  if (n < 0) return 0;
  const p = scratch(n > 0 ? n : 1);
  txCopy(i, p);
  return p;
}
