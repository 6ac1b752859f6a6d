// A tiny typed event emitter. Unlike node:events it never throws on an unhandled 'error', which
// suits a simulator where resets and timeouts are ordinary outcomes that tests assert on.

export class Emitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private listeners = new Map<keyof E, Function[]>();

  on<K extends keyof E>(ev: K, cb: E[K]): this {
    const l = this.listeners.get(ev) ?? [];
    l.push(cb);
    this.listeners.set(ev, l);
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
      if (i >= 0) l.splice(i, 1);
    }
    return this;
  }

  listenerCount(ev: keyof E): number {
    return this.listeners.get(ev)?.length ?? 0;
  }

  protected emit<K extends keyof E>(ev: K, ...args: Parameters<E[K]>): void {
    const l = this.listeners.get(ev);
    if (!l) return;
    for (const cb of [...l]) (cb as Function)(...args);
  }
}
