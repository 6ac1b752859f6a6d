// What the net-compatible API's parts share: Node-style errors, option shapes, argument checks, and
// what a Server or Socket needs from its PetrelStack.
import type { Duplex } from "node:stream";
import type { EventEmitter } from "node:events";
import { Errno } from "../abi.ts";
import type { Stack } from "../stack/stack.ts";

/** What a Server or Socket needs from its PetrelStack (PetrelStack implements it). */
export interface NetHost {
  readonly stack: Stack;
  readonly ip: string;
  /** A port for listen(0). */
  ephemeralPort(): number;
  /** Count an open socket (until its 'close'). */
  _track(s: Duplex): void;
  _trackServer(s: EventEmitter, on: boolean): void;
}

/** The errnos this API raises: the core's (host/abi.ts), and EADDRNOTAVAIL, which only the host raises (Linux's number). */
export const errnoOf: Record<string, number> = {
  ECONNREFUSED: Errno.ECONNREFUSED, ECONNRESET: Errno.ECONNRESET, ETIMEDOUT: Errno.ETIMEDOUT, EADDRINUSE: Errno.EADDRINUSE, EMFILE: Errno.EMFILE,
  ENETUNREACH: Errno.ENETUNREACH, EHOSTUNREACH: Errno.EHOSTUNREACH, EPIPE: Errno.EPIPE, EINVAL: Errno.EINVAL, ECONNABORTED: Errno.ECONNABORTED,
  EADDRNOTAVAIL: -99,
};
const describe: Record<string, string> = { EADDRINUSE: "address already in use", EMFILE: "connection table full", EADDRNOTAVAIL: "address not available" };

/** An Error shaped like Node's system errors (`connect ECONNREFUSED 198.18.0.1:7`). */
export function netError(code: string, syscall: string, address?: string, port?: number, errno = errnoOf[code] ?? -1): NodeJS.ErrnoException & { address?: string; port?: number } {
  const where = address !== undefined ? ` ${address}${port !== undefined ? `:${port}` : ""}` : "";
  const e = new Error(`${syscall} ${code}${describe[code] && syscall === "listen" ? `: ${describe[code]}` : ""}${where}`) as NodeJS.ErrnoException & { address?: string; port?: number };
  e.code = code;
  e.errno = errno;
  e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port !== undefined) e.port = port;
  return e;
}

export interface ServerOptions {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** Host-side write buffer of accepted sockets (bytes, default 16 KiB). */
  highWaterMark?: number;
}

export interface ConnectOptions {
  host?: string;
  port: number;
  localPort?: number;
  allowHalfOpen?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
  highWaterMark?: number;
}

export interface AddressInfo {
  address: string;
  family: "IPv4";
  port: number;
}

/** A duration argument checked as Node's own net does: a number (ERR_INVALID_ARG_TYPE), not
 *  negative, not NaN and at most 2^31 − 1 ms (ERR_OUT_OF_RANGE). Returns it unchanged. */
export function checkMs(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw Object.assign(new TypeError(`The "${name}" argument must be of type number. Received ${value === null ? "null" : typeof value === "string" ? `type string (${JSON.stringify(value)})` : typeof value}`), { code: "ERR_INVALID_ARG_TYPE" });
  }
  if (!(value >= 0 && value <= 2 ** 31 - 1)) {
    throw Object.assign(new RangeError(`The value of "${name}" is out of range. It must be >= 0 && <= ${2 ** 31 - 1}. Received ${value}`), { code: "ERR_OUT_OF_RANGE" });
  }
  return value;
}

export function splitEndpoint(s: string): { address: string; port: number } | null {
  const i = s.lastIndexOf(":");
  if (i <= 0) return null;
  return { address: s.slice(0, i), port: Number(s.slice(i + 1)) };
}
