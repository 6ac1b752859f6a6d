// A listening port of a Stack: accepts queued connections (at once by default) and hands each on.
import type { Core } from "../core.ts";
import { Emitter } from "../emitter.ts";
import { Conn, type ConnHost } from "./conn.ts";
import { PetrelError } from "./transition.ts";

/** Listener.accepted keeps the latest this many connections (the history tests look at; bounded). */
export const ACCEPTED_KEPT = 64;

/** What a listener needs from its stack (Stack implements it). */
export interface ListenerHost extends ConnHost {
  /** A core call whose events wait for the next settle (the connection is registered first). */
  _quietCall<T>(fn: (core: Core) => T): T;
  _register(conn: Conn): void;
  _unregisterListener(l: Listener): void;
}

type ListenerEvents = { connection: (c: Conn) => void };

export class Listener extends Emitter<ListenerEvents> {
  /** The connections accepted so far: the latest ACCEPTED_KEPT of them (older ones are dropped). */
  readonly accepted: Conn[] = [];
  closed = false;

  constructor(readonly stack: ListenerHost, readonly handle: number, readonly port: number, public autoAccept: boolean) {
    super();
  }

  /** @internal */
  _acceptable(): void {
    if (this.autoAccept && !this.closed) this.acceptAll();
  }

  /** Accept one queued connection; null when none (EAGAIN). */
  accept(): Conn | null {
    const h = this.stack._quietCall((c) => c.accept(this.handle));
    let conn: Conn | null = null;
    if (h >= 0) {
      conn = new Conn(this.stack, h, "passive");
      this.stack._register(conn);
      conn._markConnected();
      this.accepted.push(conn);
      if (this.accepted.length >= 2 * ACCEPTED_KEPT) this.accepted.splice(0, this.accepted.length - ACCEPTED_KEPT);
    }
    this.stack.call(() => 0);
    if (h < 0 && h !== this.stack.core.errorCode("EAGAIN")) throw new PetrelError(this.stack.core.errorName(h), h, `accept on port ${this.port}`);
    if (conn) this.emit("connection", conn);
    return conn;
  }

  /** Accept everything queued (bounded by the backlog limit). */
  acceptAll(): Conn[] {
    const out: Conn[] = [];
    for (let i = 0; i < 1024; i++) {
      const c = this.accept();
      if (!c) break;
      out.push(c);
    }
    return out;
  }

  /** Stop listening (queued, not accepted connections are reset by the core). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const rc = this.stack.call((c) => c.close(this.handle, this.stack.now));
    this.stack._unregisterListener(this);
    if (rc < 0) throw new PetrelError(this.stack.core.errorName(rc), rc, `close listener ${this.port}`);
  }
}
