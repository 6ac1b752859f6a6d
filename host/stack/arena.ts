// Owned copies of small byte ranges without one ArrayBuffer each. `new Uint8Array(n)` and
// `slice()` give every copy its own backing store (off the JS heap once past 64 bytes: a malloc, a
// zero fill and GC bookkeeping), which costs microseconds per Ethernet frame, many times the copy
// itself. An Arena copies into a shared chunk and hands out views of it that nobody else writes:
// a chunk is never reused, a new one is taken when it is full, and the garbage collector frees a
// chunk when no view of it is left (Node's Buffer pool works the same way). The price: a view
// kept alive keeps its whole chunk alive, so chunks are 64 KiB (bulk runs were no faster with
// 256 KiB or 1 MiB ones).

/** Copies at least this long get their own buffer (a chunk holds many frames, never one big copy). */
const OWN_BUFFER = 16 * 1024;

export class Arena {
  private chunk: ArrayBufferLike;
  private view: Uint8Array;
  private used = 0;

  constructor(private readonly chunkBytes = 64 * 1024) {
    this.view = new Uint8Array(chunkBytes);
    this.chunk = this.view.buffer;
  }

  /** A copy of `length` bytes at `offset` in `buffer` that the caller may keep (no one writes into it later). */
  copy(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array {
    // views made with new Uint8Array(buffer, …) rather than subarray(): about half the cost
    const src = new Uint8Array(buffer, offset, length);
    if (length >= OWN_BUFFER) return src.slice();
    if (this.used + length > this.chunkBytes) {
      this.view = new Uint8Array(this.chunkBytes);
      this.chunk = this.view.buffer;
      this.used = 0;
    }
    const at = this.used;
    this.view.set(src, at);
    this.used = at + length;
    return new Uint8Array(this.chunk, at, length);
  }
}
