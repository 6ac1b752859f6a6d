// Checks of command-line values shared by `petrel serve`, `petrel connect` and `petrel sim`: each
// returns a one-line message for the user (the caller turns it into exit status 2), never throws
// and never touches the file system beyond looking (no directory is created for an output file).
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseCidr, sameSubnet, type CidrOptions } from "../packet/cidr.ts";

/** "198.18.0.2/24" → ip and prefix, or a message naming the flag (host/packet/cidr.ts parses). */
export function parseCidrArg(flag: string, s: string, o: CidrOptions = {}): { ip: string; prefix: number } | string {
  const r = parseCidr(s, o);
  return typeof r === "string" ? `${flag}: ${r}` : r;
}

/** A gateway must be a host on Petrel's own subnet (it is reached by ARP), other than Petrel itself. */
export function gatewayProblem(gw: string, ip: string, prefix: number): string | null {
  if (gw.includes("/")) return `--gw takes an address without a prefix length, got ${JSON.stringify(gw)}`;
  const g = parseCidrArg("--gw", gw, { defaultPrefix: prefix, host: true });
  if (typeof g === "string") return g;
  if (!sameSubnet(g.ip, ip, prefix)) return `--gw ${g.ip} is outside ${ip}/${prefix}: the gateway must be on Petrel's subnet`;
  if (g.ip === ip) return `--gw ${g.ip} is Petrel's own address`;
  return null;
}

/** An integer in [min, max] given as decimal text. */
export function parseIntArg(flag: string, s: string, min: number, max: number): number | string {
  const n = /^\s*\d+\s*$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) return `${flag} must be an integer ${min}..${max}, got ${JSON.stringify(s)}`;
  return n;
}

/** A positive number of milliseconds (at most 24 days, setTimeout's limit). */
export function parseMsArg(flag: string, s: string): number | string {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(s) ? Number(s) : NaN;
  if (!(n > 0) || n > 2 ** 31 - 1) return `${flag} must be a positive number of milliseconds, got ${JSON.stringify(s)}`;
  return n;
}

/** Why `path` cannot be created or overwritten as an output file, or null when it can. */
export function outputFileProblem(flag: string, path: string): string | null {
  if (!path) return `${flag} needs a file name`;
  const abs = resolve(path);
  if (path.endsWith("/")) return `${flag} ${path} names a directory; give a file name`;
  const st = statSync(abs, { throwIfNoEntry: false });
  if (st?.isDirectory()) return `${flag} ${path} is a directory; give a file name`;
  if (st && !st.isFile()) return `${flag} ${path} exists and is not a regular file`;
  const dir = statSync(dirname(abs), { throwIfNoEntry: false });
  if (!dir) return `${flag} ${path}: directory ${dirname(abs)} does not exist (it is not created)`;
  if (!dir.isDirectory()) return `${flag} ${path}: ${dirname(abs)} is not a directory`;
  return null;
}
