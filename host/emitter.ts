// A tiny typed event emitter. Unlike node:events it never throws on an unhandled 'error', which
// suits a simulator where resets and timeouts are ordinary outcomes that tests assert on.

export class Emitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  /** Each event's listeners. An array is never changed once stored (on/off store a new one), so
   *  emit walks it as it was when the event began without copying it first: a listener added
   *  during an emit is not called by it, one removed during it still is. */
  private listeners = new Map<keyof E, Function[]>();

  on<K extends keyof E>(ev: K, cb: E[K]): this {
    const l = this.listeners.get(ev);
    this.listeners.set(ev, l ? [...l, cb] : [cb]);
    return this;
  }

  once<K extends keyof E>(ev: K, cb: E[K]): this {
    const wrap = ((...args: Parameters<E[K]>) => {
      this.off(ev, wrap as unknown as E[K]);
      (cb as unknown as Function)(...args);
    }) as unknown as E[K];
    return this.on(ev, wrap);
  }

  off<K extends keyof E>(ev: K, cb: E[K]): this {
    const l = this.listeners.get(ev);
    if (l) {
      const i = l.indexOf(cb);
      if (i >= 0) this.listeners.set(ev, [...l.slice(0, i), ...l.slice(i + 1)]);
    }
    return this;
  }

  listenerCount(ev: keyof E): number {
    return this.listeners.get(ev)?.length ?? 0;
  }

  protected emit<K extends keyof E>(ev: K, ...args: Parameters<E[K]>): void {
    const l = this.listeners.get(ev);
    if (!l) return;
    for (let i = 0; i < l.length; i++) (l[i] as Function)(...args);
  }
}
