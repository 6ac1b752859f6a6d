// dnsmasq (Debian's dnsmasq-base) as the DHCP (and, with `hosts`, DNS) server on the kernel side of a
// test's TAP, inside the test's namespace: never on the machine's own interfaces. Its log (every
// DHCPDISCOVER/OFFER/REQUEST/ACK/DECLINE line) is kept in `log`. Bounded: start waits at most 10 s,
// stop kills it. Addresses only from 198.18.0.0/24 (the namespace's subnet).
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ensureDebianTool } from "./env.ts";
import { KERNEL_IP, type TapNetns } from "./netns.ts";

/** Why dnsmasq cannot run here (after trying to install it), or null. */
export function dnsmasqUnavailable(): string | null {
  return ensureDebianTool("dnsmasq", "dnsmasq-base");
}

export interface DnsmasqOptions {
  /** First and last address of the pool (default 198.18.0.100 – 198.18.0.150). */
  range?: [string, string];
  /** Lease seconds (dnsmasq's minimum: 120). */
  leaseS?: number;
  /** Options 58/59: renewal and rebinding times (seconds); dnsmasq sends them as given. */
  t1S?: number;
  t2S?: number;
  /** Fixed addresses by MAC (--dhcp-host). */
  fixed?: Record<string, string>;
  /** DNS: name → address (--host-record); without it dnsmasq answers no DNS (port 0). */
  hosts?: Record<string, string>;
  /** Further dnsmasq arguments. */
  extra?: string[];
}

export class Dnsmasq {
  readonly log: string[] = [];
  private exited = false;

  private constructor(private readonly proc: ChildProcess) {}

  /** Start dnsmasq on env's TAP (kernel side KERNEL_IP); resolves once it logs that DHCP is up. */
  static async start(env: TapNetns, o: DnsmasqOptions = {}): Promise<Dnsmasq> {
    const [first, last] = o.range ?? ["198.18.0.100", "198.18.0.150"];
    const args = [
      "--no-daemon", "--conf-file=/dev/null", "--no-hosts", "--no-resolv", "--log-dhcp", "--log-facility=-",
      `--interface=${env.dev}`, "--bind-interfaces", "--except-interface=lo", "--no-ping", "--dhcp-authoritative",
      `--dhcp-range=${first},${last},255.255.255.0,${o.leaseS ?? 120}`,
      `--dhcp-leasefile=${join(env.dir, "dnsmasq.leases")}`, `--pid-file=${join(env.dir, "dnsmasq.pid")}`,
      `--dhcp-option=option:router,${KERNEL_IP}`, `--dhcp-option=option:dns-server,${KERNEL_IP}`,
      "--user=root", "--group=root",
    ];
    if (o.t1S !== undefined) args.push(`--dhcp-option=option:T1,${o.t1S}`);
    if (o.t2S !== undefined) args.push(`--dhcp-option=option:T2,${o.t2S}`);
    for (const [mac, ip] of Object.entries(o.fixed ?? {})) args.push(`--dhcp-host=${mac},${ip}`);
    if (o.hosts) for (const [name, ip] of Object.entries(o.hosts)) args.push(`--host-record=${name},${ip}`);
    else args.push("--port=0");
    args.push(...(o.extra ?? []));
    const proc = spawn("ip", ["netns", "exec", env.ns, "dnsmasq", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    const d = new Dnsmasq(proc);
    let buf = "";
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString();
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        d.log.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.on("exit", () => (d.exited = true));
    await d.waitFor(/DHCP, IP range/, 10_000).catch((e: Error) => {
      d.stop();
      throw new Error(`dnsmasq did not start: ${e.message}\n${d.log.join("\n")}`);
    });
    return d;
  }

  /** Log lines matching re. */
  lines(re: RegExp): string[] {
    return this.log.filter((l) => re.test(l));
  }

  /** Resolves when a log line matches re (`count` of them), rejects after timeoutMs or if dnsmasq exits. */
  waitFor(re: RegExp, timeoutMs: number, count = 1): Promise<string> {
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const check = (): void => {
        const hits = this.lines(re);
        if (hits.length >= count) return resolve(hits[count - 1]!);
        if (this.exited) return reject(new Error(`dnsmasq exited waiting for ${re}`));
        if (Date.now() > deadline) return reject(new Error(`no ${re} in dnsmasq's log within ${timeoutMs} ms`));
        setTimeout(check, 50);
      };
      check();
    });
  }

  stop(): void {
    if (!this.exited) this.proc.kill("SIGKILL");
  }
}
