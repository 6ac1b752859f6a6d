// The bytes a connection was given to write and the core's send ring has not taken yet.

/**
 * Bytes written but not yet taken by the core's send ring. A write into an empty queue borrows the
 * caller's array (most writes go into the ring whole, at once: no copy, no buffer); own() copies
 * whatever is left of it before the caller gets its array back. Owned bytes live in one buffer that
 * the connection keeps (it grows to the largest backlog, is compacted when it runs out of room at
 * the end, and is dropped when it drains past 1 MiB) instead of a new copy per write().
 */
export class ByteQueue {
  private buf = new Uint8Array(0);
  /** The caller's array while borrowed (then head/tail index it instead of buf). */
  private lent: Uint8Array | null = null;
  private head = 0;
  private tail = 0;

  get length(): number {
    return this.tail - this.head;
  }

  /** Whether the queue holds bytes of a caller's array (own() copies them). */
  get borrowing(): boolean {
    return this.lent !== null;
  }

  /** Append data: borrowed when the queue is empty (call own() before the caller may change it),
   *  else copied. */
  push(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    if (this.length === 0) {
      this.lent = data;
      this.head = 0;
      this.tail = n;
      return;
    }
    this.own();
    this.reserve(n);
    this.buf.set(data, this.tail);
    this.tail += n;
  }

  /** Copy what is left of a borrowed array into the queue's own buffer. */
  own(): void {
    const lent = this.lent;
    if (!lent) return;
    this.lent = null;
    const live = lent.subarray(this.head, this.tail);
    this.head = this.tail = 0;
    this.reserve(live.length);
    this.buf.set(live, 0);
    this.tail = live.length;
  }

  /** Room for n more bytes at the end of buf (buf is owned). */
  private reserve(n: number): void {
    if (this.tail + n <= this.buf.length) return;
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

  /** The queued bytes (a view, valid until the next push, own or consume). */
  peek(): Uint8Array {
    return (this.lent ?? this.buf).subarray(this.head, this.tail);
  }

  /** Drop n bytes from the front. */
  consume(n: number): void {
    this.head += n;
    if (this.head >= this.tail) this.clear();
  }

  clear(): void {
    this.lent = null;
    this.head = this.tail = 0;
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0);
  }
}
