// "A.B.C.D/P" for every host-side tool: the CLI's --ip/--host-ip/--gw (host/cli/args.ts), `petrel
// qemu`, the TAP helpers (host/node/tap.ts) and PetrelStack's `ip` option. One parser, one set of
// messages; no node: import (the simulator and the browser build use it too).
import { ipToU32 } from "./packet.ts";

export interface Cidr {
  ip: string;
  prefix: number;
}

export interface CidrOptions {
  /** The prefix length when the text has none (default: a prefix is required). */
  defaultPrefix?: number;
  /** Refuse the network and broadcast addresses of a /1–/30 (a /31 or /32 has neither, RFC 3021). */
  host?: boolean;
}

/** The netmask of a prefix length as a u32. */
export const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** Whether a and b lie in the same /prefix. */
export const sameSubnet = (a: string, b: string, prefix: number): boolean => ((ipToU32(a) ^ ipToU32(b)) & maskOf(prefix)) >>> 0 === 0;

/** "198.18.0.2/24" → ip and prefix, or a one-line message saying what is wrong with it. */
export function parseCidr(s: string, o: CidrOptions = {}): Cidr | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m?.[5] !== undefined ? Number(m[5]) : o.defaultPrefix;
  if (!m || octets.some((x) => x > 255) || prefix === undefined || prefix < 1 || prefix > 32) {
    return `bad address ${JSON.stringify(s)}: expected an IPv4 address with a prefix length, e.g. 198.18.0.2/24`;
  }
  const ip = octets.join(".");
  if (o.host && prefix <= 30) {
    const host = (ipToU32(ip) & ~maskOf(prefix)) >>> 0;
    if (host === 0) return `${ip} is the network address of ${ip}/${prefix}, not a host address`;
    if (host === ~maskOf(prefix) >>> 0) return `${ip} is the broadcast address of ${ip}/${prefix}, not a host address`;
  }
  return { ip, prefix };
}

/** parseCidr that throws an Error with its message (for APIs rather than command lines). */
export function cidrOrThrow(s: string, o: CidrOptions = {}): Cidr {
  const r = parseCidr(s, o);
  if (typeof r === "string") throw new Error(r);
  return r;
}
