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
