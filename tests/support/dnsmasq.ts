// Debian's dnsmasq as the DNS server (and, for the DHCP tests, the DHCP server) of a test, run in
// the foreground inside a network namespace the test created, bound to one address of that
// namespace only (--bind-interfaces --listen-address), with no upstream servers and no /etc/hosts
// (--no-resolv --no-hosts --conf-file=/dev/null): it answers only from the records the test gives,
// and a name of the local domain it does not know is NXDOMAIN (--local). Killed by stop(), and by a
// process 'exit' hook if the test dies first; the start waits for its "started" line, bounded.
import { spawn, type ChildProcess } from "node:child_process";
import { ensureDebianTool } from "./env.ts";

export interface DnsmasqOptions {
  /** The namespace to run in (the test's own). */
  ns: string;
  /** The address to listen on (an address of that namespace, in 198.18.0.0/15). */
  listen: string;
  /** A records: name → IPv4 address (--host-record). */
  hosts?: Record<string, string>;
  /** CNAME records: alias → target (--cname; the target must be a host record). */
  cnames?: Record<string, string>;
  /** The domain answered locally: names in it that are not records are NXDOMAIN (default petrel.test). */
  domain?: string;
  /** More dnsmasq options (e.g. the DHCP range). */
  extra?: string[];
  /** Bound of the start (ms, default 10 s). */
  timeoutMs?: number;
}

const live = new Set<ChildProcess>();
let hooked = false;

/** Why dnsmasq cannot run here (installs Debian's dnsmasq-base when root), or null. */
export function dnsmasqUnavailable(): string | null {
  return ensureDebianTool("dnsmasq", "dnsmasq-base");
}

export class Dnsmasq {
  /** dnsmasq's log so far (with --log-queries: one line per query and per answer). */
  log = "";
  private exited: Promise<void>;

  private constructor(readonly proc: ChildProcess) {
    proc.stderr!.on("data", (d) => (this.log += d));
    this.exited = new Promise((r) => proc.on("close", () => (live.delete(proc), r())));
  }

  static async start(o: DnsmasqOptions): Promise<Dnsmasq> {
    if (!hooked) {
      hooked = true;
      process.on("exit", () => {
        for (const p of live) p.kill("SIGKILL");
      });
    }
    const domain = o.domain ?? "petrel.test";
    const args = [
      "--keep-in-foreground", "--log-facility=-", "--log-queries", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
      "--bind-interfaces", `--listen-address=${o.listen}`, "--except-interface=lo", "--port=53", "--user=root", "--group=root",
      "--pid-file=", `--local=/${domain}/`, "--domain-needed",
      ...Object.entries(o.hosts ?? {}).map(([n, a]) => `--host-record=${n},${a}`),
      ...Object.entries(o.cnames ?? {}).map(([alias, target]) => `--cname=${alias},${target}`),
      ...(o.extra ?? []),
    ];
    const proc = spawn("ip", ["netns", "exec", o.ns, "dnsmasq", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    live.add(proc);
    const d = new Dnsmasq(proc);
    const t0 = Date.now();
    const bound = o.timeoutMs ?? 10_000;
    while (!/started, version/.test(d.log) && proc.exitCode === null && Date.now() - t0 < bound) await new Promise((r) => setTimeout(r, 20));
    if (!/started, version/.test(d.log)) {
      await d.stop();
      throw new Error(`dnsmasq did not start within ${bound} ms: ${d.log.trim().split("\n").slice(-3).join(" | ")}`);
    }
    return d;
  }

  /** Stop it (SIGTERM, then SIGKILL after 2 s); resolves when it has exited. */
  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill("SIGTERM");
    const t = setTimeout(() => this.proc.kill("SIGKILL"), 2000);
    await this.exited;
    clearTimeout(t);
  }
}

// ── DHCP: dnsmasq as the DHCP server on a test's TAP (tests/interop/dhcp.test.ts) ─────────────

export interface DhcpServerOptions {
  /** The TAP's kernel side: its name and a directory for the lease file. */
  dev: string;
  dir: string;
  /** First and last address of the pool (default 198.18.0.100 – 198.18.0.150, a /24). */
  range?: [string, string];
  /** Lease seconds (dnsmasq's minimum: 120). */
  leaseS?: number;
  /** Options 58/59: renewal and rebinding times in seconds (dnsmasq sends them as given). */
  t1S?: number;
  t2S?: number;
  /** Fixed addresses by MAC (--dhcp-host). */
  fixed?: Record<string, string>;
  /** Router and DNS server given to clients (default: the listen address). */
  router: string;
}

/** The options that make dnsmasq a DHCP server on dev (pass as `extra`; log lines DHCPDISCOVER… in `log`). */
export function dhcpServerArgs(o: DhcpServerOptions): string[] {
  const [first, last] = o.range ?? ["198.18.0.100", "198.18.0.150"];
  const args = [
    "--log-dhcp", "--no-ping", "--dhcp-authoritative",
    `--dhcp-range=${first},${last},255.255.255.0,${o.leaseS ?? 120}`,
    `--dhcp-leasefile=${o.dir}/dnsmasq.leases`,
    `--dhcp-option=option:router,${o.router}`, `--dhcp-option=option:dns-server,${o.router}`,
  ];
  if (o.t1S !== undefined) args.push(`--dhcp-option=option:T1,${o.t1S}`);
  if (o.t2S !== undefined) args.push(`--dhcp-option=option:T2,${o.t2S}`);
  for (const [mac, ip] of Object.entries(o.fixed ?? {})) args.push(`--dhcp-host=${mac},${ip}`);
  return args;
}

/** Resolves with the count-th log line matching re; rejects after timeoutMs or when dnsmasq exits. */
export async function waitForLog(d: Dnsmasq, re: RegExp, timeoutMs: number, count = 1): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const hits = d.log.split("\n").filter((l) => re.test(l));
    if (hits.length >= count) return hits[count - 1]!;
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`dnsmasq exited waiting for ${re}`);
    if (Date.now() - t0 > timeoutMs) throw new Error(`no ${re} in dnsmasq's log within ${timeoutMs} ms:\n${d.log.trim().split("\n").slice(-15).join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
