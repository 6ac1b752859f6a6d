// The state transitions of a stack's connections (from the core's STATE events), each named by
// its endpoints, and the error a failed socket call raises.
import type { Core } from "../core.ts";
import { u32ToIp } from "../packet/packet.ts";

/** A connection's state change, from the core's STATE event, stamped with virtual time. */
export interface StateTransition {
  timeMs: number;
  stack: string;
  handle: number;
  from: string;
  to: string;
  /** "198.18.0.2:49152" (empty if the core no longer knew the handle and it was never seen) */
  local: string;
  remote: string;
}

/** A negative core result, as an Error with Node-style `code` ("ECONNREFUSED") and `errno` (-111). */
export class PetrelError extends Error {
  constructor(readonly code: string, readonly errno: number, what: string) {
    super(`${what}: ${code} (${errno})`);
    this.name = "PetrelError";
  }
}

interface Endpoints {
  local: string;
  remote: string;
}

/**
 * Every transition of a stack in order (the latest `keep` of them; older ones are dropped in
 * blocks, so a long-running host stays flat), and per handle those of its current connection.
 */
export class TransitionLog {
  readonly all: StateTransition[] = [];
  private endpoints = new Map<number, Endpoints>();
  private byHandle = new Map<number, StateTransition[]>();

  constructor(private readonly stack: string, private readonly core: Core, private readonly keep: number) {}

  /**
   * Record handle's change from → to (core state numbers) at timeMs. `rx` is the frame that caused
   * it, if any (given for a new connection's first transition, from CLOSED or LISTEN): its 4-tuple
   * names a connection tcp_info does not answer for yet (not accepted).
   * `known`: the host already has a live connection object on this handle.
   */
  record(handle: number, from: number, to: number, timeMs: number, rx: Uint8Array | null, known: boolean): StateTransition {
    const fresh = from === 0 || from === 1; // a new connection on this handle (maybe a reused one)
    if (fresh && !known) this.endpoints.delete(handle);
    const e = this.endpointOf(handle, rx, fresh);
    const t: StateTransition = { timeMs, stack: this.stack, handle, from: this.core.stateName(from), to: this.core.stateName(to), local: e.local, remote: e.remote };
    this.all.push(t);
    if (this.all.length >= 2 * this.keep) this.all.splice(0, this.all.length - this.keep);
    if (fresh) this.byHandle.set(handle, []);
    const list = this.byHandle.get(handle) ?? [];
    list.push(t);
    this.byHandle.set(handle, list);
    return t;
  }

  /** The transitions of the connection now on `handle`. */
  ofHandle(handle: number): readonly StateTransition[] | undefined {
    return this.byHandle.get(handle);
  }

  /** Drop what is kept for a handle whose connection is over. */
  forget(handle: number): void {
    this.endpoints.delete(handle);
    this.byHandle.delete(handle);
  }

  sizes(): { endpoints: number; handleTransitions: number; transitions: number } {
    return { endpoints: this.endpoints.size, handleTransitions: this.byHandle.size, transitions: this.all.length };
  }

  private endpointOf(h: number, rx: Uint8Array | null, fresh: boolean): Endpoints {
    // a connection keeps its endpoints: only a new one on this handle needs asking (a tcp_info per
    // transition was the dearest part of recording one)
    if (!fresh) {
      const known = this.endpoints.get(h);
      if (known) return known;
    }
    const info = this.core.endpoints(h);
    if (typeof info !== "number") {
      this.endpoints.set(h, info);
      return info;
    }
    const known = this.endpoints.get(h);
    if (known) return known;
    // tcp_info only answers for app-owned handles: a connection not yet accepted is named by the
    // segment that created it (the frame being processed)
    const e = rx ? segmentEndpoints(rx) : null;
    if (e) {
      this.endpoints.set(h, e);
      return e;
    }
    return { local: "", remote: "" };
  }
}

/**
 * The endpoints a received TCP/IPv4 frame names, seen from its receiver (local = destination), or
 * null when it is not one. Only the header fields that say so are read: a connection's first
 * transition needs its 4-tuple, not parseFrame's checksums and option lists (which cost more than
 * the rest of recording it).
 */
export function segmentEndpoints(b: Uint8Array): Endpoints | null {
  if (b.length < 14 + 20 || b[12] !== 0x08 || b[13] !== 0x00) return null; // Ethernet, IPv4
  const ihl = (b[14]! & 15) * 4;
  if (b[14]! >> 4 !== 4 || ihl < 20 || b[23] !== 6 || b.length < 14 + ihl + 4) return null; // TCP
  if ((((b[20]! << 8) | b[21]!) & 0x3fff) !== 0) return null; // a fragment
  const t = 14 + ihl;
  const be32 = (at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  return { local: `${u32ToIp(be32(30))}:${(b[t + 2]! << 8) | b[t + 3]!}`, remote: `${u32ToIp(be32(26))}:${(b[t]! << 8) | b[t + 1]!}` };
}
