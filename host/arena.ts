// Owned copies of small byte ranges without one ArrayBuffer each. `new Uint8Array(n)` and
// `slice()` give every copy its own backing store (off the JS heap once past 64 bytes: a malloc, a
// zero fill and GC bookkeeping), which costs microseconds per Ethernet frame, many times the copy
// itself. An Arena copies into a shared chunk and hands out views of it that nobody else writes:
// a chunk is never reused, a new one is taken when it is full, and the garbage collector frees a
// chunk when no view of it is left (Node's Buffer pool works the same way). The price: a view
// kept alive keeps its whole chunk alive.

/** Copies at least this long get their own buffer (a chunk holds many frames, never one big copy). */
const OWN_BUFFER = 16 * 1024;

export class Arena {
  private chunk: Uint8Array;
  private used = 0;

  constructor(private readonly chunkBytes = 256 * 1024) {
    this.chunk = new Uint8Array(chunkBytes);
  }

  /** A copy of src[start, end) that the caller may keep (no one writes into it later). */
  copy(src: Uint8Array, start: number, end: number): Uint8Array {
    const n = end - start;
    if (n >= OWN_BUFFER) return src.slice(start, end);
    if (this.used + n > this.chunkBytes) {
      this.chunk = new Uint8Array(this.chunkBytes);
      this.used = 0;
    }
    const at = this.used;
    this.chunk.set(src.subarray(start, end), at);
    this.used = at + n;
    return this.chunk.subarray(at, at + n);
  }
}
