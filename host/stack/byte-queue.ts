// The bytes a connection was given to write and the core's send ring has not taken yet.

/**
 * Bytes written but not yet taken by the core's send ring, copied into one buffer that the
 * connection keeps (it grows to the largest backlog, is compacted when it runs out of room at the
 * end, and is dropped when it drains past 1 MiB) instead of a new copy per write().
 */
export class ByteQueue {
  private buf = new Uint8Array(0);
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** Append a copy of data. */
  push(data: Uint8Array): void {
    const n = data.length;
    if (this.tail + n > this.buf.length) {
      const live = this.tail - this.head;
      if (live + n <= this.buf.length) {
        this.buf.copyWithin(0, this.head, this.tail);
      } else {
        const grown = new Uint8Array(Math.max(live + n, 2 * this.buf.length, 16 * 1024));
        grown.set(this.buf.subarray(this.head, this.tail));
        this.buf = grown;
      }
      this.head = 0;
      this.tail = live;
    }
    this.buf.set(data, this.tail);
    this.tail += n;
  }

  /** The queued bytes (a view, valid until the next push or consume). */
  peek(): Uint8Array {
    return this.buf.subarray(this.head, this.tail);
  }

  /** Drop n bytes from the front. */
  consume(n: number): void {
    this.head += n;
    if (this.head >= this.tail) this.clear();
  }

  clear(): void {
    this.head = this.tail = 0;
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0);
  }
}
