// Checks of command-line values shared by `petrel serve`, `petrel connect` and `petrel sim`: each
// returns a one-line message for the user (the caller turns it into exit status 2), never throws
// and never touches the file system beyond looking (no directory is created for an output file).
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";

const u32 = (ip: string): number => ip.split(".").reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
const maskOf = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** "198.18.0.2/24" → ip and prefix, or a message. With `host`, the network and broadcast
 *  addresses of a /1–/30 are refused (a /31 or /32 has neither, RFC 3021). */
export function parseCidrArg(flag: string, s: string, o: { host?: boolean; defaultPrefix?: number } = {}): { ip: string; prefix: number } | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/.exec(s.trim());
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m?.[5] !== undefined ? Number(m[5]) : o.defaultPrefix;
  if (!m || octets.some((x) => x > 255) || prefix === undefined || prefix < 1 || prefix > 32) {
    return `${flag}: bad address ${JSON.stringify(s)}: expected an IPv4 address with a prefix length, e.g. 198.18.0.2/24`;
  }
  const ip = octets.join(".");
  if (o.host && prefix <= 30) {
    const a = u32(ip);
    const mask = maskOf(prefix);
    if ((a & ~mask) >>> 0 === 0) return `${flag}: ${ip} is the network address of ${ip}/${prefix}, not a host address`;
    if ((a & ~mask) >>> 0 === ~mask >>> 0) return `${flag}: ${ip} is the broadcast address of ${ip}/${prefix}, not a host address`;
  }
  return { ip, prefix };
}

/** A gateway must be a host on Petrel's own subnet (it is reached by ARP), other than Petrel itself. */
export function gatewayProblem(gw: string, ip: string, prefix: number): string | null {
  if (gw.includes("/")) return `--gw takes an address without a prefix length, got ${JSON.stringify(gw)}`;
  const g = parseCidrArg("--gw", gw, { defaultPrefix: prefix, host: true });
  if (typeof g === "string") return g;
  const mask = maskOf(prefix);
  if (((u32(g.ip) ^ u32(ip)) & mask) >>> 0 !== 0) return `--gw ${g.ip} is outside ${ip}/${prefix}: the gateway must be on Petrel's subnet`;
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
