// `petrel`: serve the seeds' services on a TAP device, or be nc over Petrel.
//   petrel serve   --tap NAME (--ip ADDR/PREFIX [--gw ADDR] | --dhcp) [--services echo,discard,chargen,http]
//                  [--host-ip ADDR/PREFIX] [--pcap FILE] [--trace] [--profile NAME] [--loss P]
//   petrel connect --tap NAME (--ip ADDR/PREFIX [--gw ADDR] | --dhcp) [--host-ip ADDR/PREFIX] HOST PORT
//   petrel resolve --tap NAME (--ip ADDR/PREFIX --dns ADDR | --dhcp) NAME
//   petrel sim transfer …   (host/cli/sim.ts)
//   petrel qemu --firmware wasm2c|wamr|lwip --tap NAME --ip ADDR/PREFIX …   (host/cli/qemu.ts)
import { parseArgs } from "node:util";
import { isIPv4 } from "node:net";
import type { DhcpInfo, Profile } from "../core.ts";
import { leaseLine, leaseTerms, waitForLease, watchLease } from "../apps/lease.ts";
import { FaultLink } from "../link/fault.ts";
import type { Link } from "../link/link.ts";
import { PcapLink, TraceLink } from "../link/pcap.ts";
import { IFNAMSIZ, TapError, TapLink, configureKernelSide } from "../node/tap.ts";
import { gatewayProblem, outputFileProblem, parseCidrArg, parseIntArg, parseMsArg } from "./args.ts";
import { PetrelStack } from "../node/net.ts";
import { PcapFileWriter } from "../node/pcap-file.ts";
import { RealClock, wallTime } from "../node/realtime.ts";
import { SERVICE_PORTS, startServices, type ServiceName } from "../apps/services.ts";

const USAGE = `petrel — a TCP/IPv4 stack (one WebAssembly module) on a TAP device

usage:
  petrel serve   --tap NAME --ip ADDR/PREFIX [options]     serve echo, discard, chargen and HTTP
  petrel connect --tap NAME --ip ADDR/PREFIX HOST PORT     nc over Petrel (stdin → socket → stdout)
  petrel resolve --tap NAME --ip ADDR/PREFIX --dns ADDR NAME
                                                          NAME's IPv4 addresses from Petrel's resolver
                 (serve, connect and resolve take --dhcp instead of --ip: the address, gateway and
                  DNS servers come from a DHCP lease)
  petrel sim transfer --seed S --bytes N [faults…]         two simulated stacks, one JSON line
  petrel qemu --firmware wasm2c|wamr|lwip --tap NAME --ip ADDR/PREFIX
                                                          a Cortex-M4 firmware in QEMU on a TAP
  petrel COMMAND --help                                    options of a command

Creating or opening a TAP device needs CAP_NET_ADMIN (root). The device is created if it does not
exist and removed on exit if it was created. Keep experiments inside a network namespace of your
own and on 198.18.0.0/15 addresses (see the README).
`;

const SERVE_USAGE = `usage: petrel serve --tap NAME (--ip ADDR/PREFIX | --dhcp) [options]

  --tap NAME            TAP device (created if absent, removed on exit if created)
  --ip ADDR/PREFIX      Petrel's address, e.g. 198.18.0.2/24
  --gw ADDR             default gateway (optional)
  --dhcp                get the address, gateway and DNS servers by DHCP instead of --ip: the ready
                        line comes with the lease (address, gateway, DNS, lease, T1, T2), and a line
                        follows each renewal, rebinding or loss of the address; the status page
                        shows the lease
  --dhcp-delay MS       with --dhcp: the longest random wait before the first DISCOVER (RFC 2131
                        4.4.1; default the core's, 10000: 1–10 s; 0 asks at once)
  --services LIST       comma-separated: echo (7), discard (9), chargen (19), http (80); default all
  --host-ip ADDR/PREFIX give the kernel's side of the TAP this address and bring it up
  --pcap FILE           write every frame (both directions) to FILE (flushed on exit)
  --trace               print a tcpdump-style line per frame and every state change (stderr)
  --profile NAME        core build profile: tiny, default, server (default: server)
  --loss P              drop each frame with probability P in both directions (FaultLink)
  --seed N              seed of the fault injector (default 1)
  -h, --help            this text

Ctrl-C closes every connection gracefully (bounded: 3 s), flushes the pcap and removes the device.
`;

const DHCP_WAIT_HELP = `  --dhcp                get the address and the DNS servers by DHCP instead of --ip and --dns
  --dhcp-timeout MS     with --dhcp: give up (exit 1) when no lease came within MS (default 30000)
  --dhcp-delay MS       with --dhcp: the longest random wait before the first DISCOVER (RFC 2131
                        4.4.1; default the core's, 10000: 1–10 s; 0 asks at once)`;

const CONNECT_USAGE = `usage: petrel connect --tap NAME (--ip ADDR/PREFIX | --dhcp) [options] HOST PORT

Connects to HOST:PORT over Petrel: stdin goes to the socket, the socket to stdout; at the end of
stdin Petrel half-closes (FIN) and keeps printing until the peer closes. HOST is an IPv4 address,
or a name resolved by Petrel's own resolver from the --dns server (with --dhcp: the lease's).

  --tap NAME            TAP device (created if absent, removed on exit if created)
  --ip ADDR/PREFIX      Petrel's address, e.g. 198.18.0.2/24
  --gw ADDR             default gateway (optional)
${DHCP_WAIT_HELP}
  --host-ip ADDR/PREFIX give the kernel's side of the TAP this address and bring it up
  --pcap FILE           write every frame to FILE
  --trace               tcpdump-style trace on stderr
  --profile NAME        core build profile (default: server)
  --dns ADDR[,ADDR…]    DNS servers (at most 3) for a HOST given by name
  --timeout MS          give up connecting after MS (default: the core's SYN backoff)
  -h, --help            this text
`;

const RESOLVE_USAGE = `usage: petrel resolve --tap NAME (--ip ADDR/PREFIX --dns ADDR | --dhcp) [options] NAME

Resolves NAME through Petrel's own DNS stub resolver (UDP from Petrel's address to the --dns
server, or with --dhcp to the DNS servers of the lease; not the operating system's) and prints its
IPv4 addresses, one a line. Exit status 0 with an answer; 1 with a one-line reason for NXDOMAIN,
SERVFAIL, REFUSED, no address, no answer, or no lease.

  --tap NAME            TAP device (created if absent, removed on exit if created)
  --ip ADDR/PREFIX      Petrel's address, e.g. 198.18.0.2/24
  --gw ADDR             default gateway (optional)
  --dns ADDR[,ADDR…]    DNS servers (at most 3; with --dhcp they replace the lease's)
${DHCP_WAIT_HELP}
  --host-ip ADDR/PREFIX give the kernel's side of the TAP this address and bring it up
  --pcap FILE           write every frame to FILE
  --trace               tcpdump-style trace on stderr
  --profile NAME        core build profile (default: server)
  -h, --help            this text
`;

class UsageError extends Error {}

const common = {
  tap: { type: "string" },
  ip: { type: "string" },
  gw: { type: "string" },
  "host-ip": { type: "string" },
  pcap: { type: "string" },
  trace: { type: "boolean" },
  profile: { type: "string" },
  dns: { type: "string" },
  dhcp: { type: "boolean" },
  "dhcp-delay": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;
/** connect and resolve: how long --dhcp waits for the lease. */
const dhcpWait = { "dhcp-timeout": { type: "string" } } as const;

interface Opened {
  petrel: PetrelStack;
  tap: TapLink;
  pcap: PcapFileWriter | null;
  clock: RealClock;
}

/** The value or, for a message, a UsageError (exit status 2). */
function ok<T>(r: T | string): T {
  if (typeof r === "string") throw new UsageError(r);
  return r;
}

function openStack(v: { tap?: string; ip?: string; gw?: string; "host-ip"?: string; pcap?: string; trace?: boolean; profile?: string; loss?: string; seed?: string; dns?: string; dhcp?: boolean; "dhcp-delay"?: string }): Opened {
  if (!v.tap) throw new UsageError("--tap NAME is required");
  if (v.tap.length >= IFNAMSIZ || !/^[A-Za-z0-9_.-]+$/.test(v.tap)) throw new UsageError(`--tap: bad interface name ${JSON.stringify(v.tap)} (1–${IFNAMSIZ - 1} characters: letters, digits, _ . -)`);
  if (v.dhcp && v.ip !== undefined) throw new UsageError("--dhcp and --ip exclude each other (DHCP brings the address)");
  if (v.dhcp && v.gw !== undefined) throw new UsageError("--dhcp and --gw exclude each other (DHCP brings the gateway)");
  if (!v.ip && !v.dhcp) throw new UsageError("--ip ADDR/PREFIX is required (e.g. --ip 198.18.0.2/24), or --dhcp");
  if (v["dhcp-delay"] !== undefined && !v.dhcp) throw new UsageError("--dhcp-delay goes with --dhcp");
  const initDelayMs = v["dhcp-delay"] !== undefined ? ok(parseIntArg("--dhcp-delay", v["dhcp-delay"], 0, 60_000)) : undefined;
  const me = v.ip !== undefined ? ok(parseCidrArg("--ip", v.ip, { host: true })) : null;
  if (me && v.gw !== undefined) {
    const why = gatewayProblem(v.gw, me.ip, me.prefix);
    if (why) throw new UsageError(why);
  }
  const host = v["host-ip"] !== undefined ? ok(parseCidrArg("--host-ip", v["host-ip"], { host: true })) : null;
  if (host && me && host.ip === me.ip) throw new UsageError(`--host-ip ${host.ip} is the same as --ip`);
  const profile = (v.profile ?? "server") as Profile;
  if (!["tiny", "default", "server"].includes(profile)) throw new UsageError(`unknown profile ${profile} (tiny, default, server)`);
  const loss = v.loss !== undefined ? (/^\s*[\d.]+\s*$/.test(v.loss) ? Number(v.loss) : NaN) : 0;
  if (!(loss >= 0 && loss < 1)) throw new UsageError(`--loss must be a probability in [0, 1), got ${JSON.stringify(v.loss)}`);
  const dns = v.dns !== undefined ? v.dns.split(",").map((d) => d.trim()) : undefined;
  if (dns && (dns.length > 3 || dns.some((d) => !isIPv4(d)))) throw new UsageError(`--dns takes up to 3 IPv4 addresses separated by commas, got ${JSON.stringify(v.dns)}`);
  const seed = v.seed !== undefined ? ok(parseIntArg("--seed", v.seed, 0, 0xffffffff)) : 1;
  if (v.pcap !== undefined) {
    const why = outputFileProblem("--pcap", v.pcap);
    if (why) throw new UsageError(why);
  }
  const clock = new RealClock();
  const tap = TapLink.open(v.tap);
  try {
    if (host) configureKernelSide(tap.name, `${host.ip}/${host.prefix}`);
    const pcap = v.pcap ? new PcapFileWriter(v.pcap) : null;
    let link: Link = tap;
    if (pcap) link = new PcapLink(link, wallTime, pcap);
    if (loss > 0) link = new FaultLink(link, clock, { seed, loss });
    if (v.trace) link = new TraceLink(link, clock, (l) => process.stderr.write(l + "\n"));
    const petrel = new PetrelStack({ name: "petrel", ...(me ? { ip: `${me.ip}/${me.prefix}`, gateway: v.gw } : { dhcp: { initDelayMs } }), link, clock, profile, dns });
    if (v.trace) petrel.stack.on("state", (t) => process.stderr.write(`  ${t.local} ${t.remote} ${t.from} -> ${t.to}\n`));
    return { petrel, tap, pcap, clock };
  } catch (e) {
    tap.close();
    throw e;
  }
}

/** --dhcp-timeout (only with --dhcp), default 30 s. */
function dhcpTimeout(v: { dhcp?: boolean; "dhcp-timeout"?: string }): number {
  if (v["dhcp-timeout"] === undefined) return 30_000;
  if (!v.dhcp) throw new UsageError("--dhcp-timeout goes with --dhcp");
  return ok(parseMsArg("--dhcp-timeout", v["dhcp-timeout"]));
}

/** Wait (bounded) for the lease of a --dhcp command; with --trace, say which on stderr. */
async function leaseFor(o: Opened, timeoutMs: number, trace?: boolean): Promise<DhcpInfo> {
  const d = await waitForLease(o.petrel, o.tap.name, timeoutMs);
  if (trace) process.stderr.write(`petrel: leased ${leaseLine(d)}\n`);
  return d;
}

async function shutdown(o: Opened, graceMs: number): Promise<void> {
  await o.petrel.close(graceMs);
  o.clock.stop();
  o.pcap?.close();
  o.tap.close();
}

/** Run until SIGINT/SIGTERM or `done`; a second signal exits at once. */
function onSignals(stop: () => void): () => void {
  let n = 0;
  const h = (): void => {
    if (++n > 1) process.exit(130);
    stop();
  };
  process.on("SIGINT", h);
  process.on("SIGTERM", h);
  return () => {
    process.off("SIGINT", h);
    process.off("SIGTERM", h);
  };
}

async function serve(argv: string[]): Promise<number> {
  const { values: v } = parseArgs({ args: argv, options: { ...common, services: { type: "string" }, loss: { type: "string" }, seed: { type: "string" } }, strict: true });
  if (v.help) return void process.stdout.write(SERVE_USAGE), 0;
  const names = (v.services ?? "echo,discard,chargen,http").split(",").map((s) => s.trim()).filter(Boolean) as ServiceName[];
  for (const n of names) if (!Object.hasOwn(SERVICE_PORTS, n)) throw new UsageError(`unknown service ${n} (echo, discard, chargen, http)`);
  if (names.length === 0) throw new UsageError(`--services needs at least one of echo, discard, chargen, http, got ${JSON.stringify(v.services)}`);
  if (new Set(names).size !== names.length) throw new UsageError(`--services names a service twice: ${JSON.stringify(v.services)}`);
  const o = openStack(v);
  const started = new Date().toISOString();
  let failed: Error | null = null;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((r) => (stop = r));
  const servers = startServices(o.petrel, names, {
    extra: () => ({ started, tap: o.tap.name, link: o.tap.stats, profile: v.profile ?? "server" }),
    onError: (name, e) => {
      const code = (e as NodeJS.ErrnoException).code;
      failed = new Error(code === "EADDRINUSE" ? `port ${SERVICE_PORTS[name]} (${name}) is already in use on this stack` : `${name}: ${e.message}`);
      stop();
    },
  });
  await new Promise((r) => setImmediate(r));
  const where = `on ${o.tap.name}${o.tap.created ? " (created)" : ""}, mac ${o.petrel.mac}`;
  const what = `${[...servers.keys()].map((n) => `${n}/${SERVICE_PORTS[n]}`).join(" ")}${v["host-ip"] ? `; kernel side ${v["host-ip"]}` : ""}`;
  let unwatch = (): void => {};
  if (!failed && !v.dhcp) process.stderr.write(`petrel ${o.petrel.ip}/${o.petrel.prefix} ${where}: ${what}. Ctrl-C to stop.\n`);
  if (!failed && v.dhcp) {
    // the ready line comes with the lease; then a line per renewal, rebinding, loss of the address
    process.stderr.write(`petrel: ${where}: waiting for a DHCP lease…\n`);
    let address = "";
    unwatch = watchLease(o.petrel, (d, first) => {
      if (first) process.stderr.write(`petrel ${d.address}/${d.prefix} ${where}: ${what}; by DHCP ${leaseTerms(d)}. Ctrl-C to stop.\n`);
      else process.stderr.write(`petrel: ${d.address === address ? "lease renewed" : "new lease"}: ${leaseLine(d)}\n`);
      address = d.address;
    }, (line) => process.stderr.write(`petrel: ${line}\n`));
  }
  const off = onSignals(stop);
  await stopped;
  off();
  unwatch();
  process.stderr.write(failed ? "" : "petrel: closing connections…\n");
  await shutdown(o, 3000);
  if (failed) throw failed;
  if (v.pcap) process.stderr.write(`petrel: capture written to ${v.pcap}\n`);
  return 0;
}

async function connect(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: { ...common, ...dhcpWait, timeout: { type: "string" } }, allowPositionals: true, strict: true });
  if (v.help) return void process.stdout.write(CONNECT_USAGE), 0;
  if (positionals.length !== 2) throw new UsageError("HOST and PORT are required");
  const [host, portStr] = positionals as [string, string];
  if (!isIPv4(host) && v.dns === undefined && !v.dhcp) throw new UsageError(`HOST ${host} is a name: give a DNS server with --dns ADDR (or use --dhcp)`);
  const port = ok(parseIntArg("PORT", portStr, 1, 65535));
  const timeout = v.timeout !== undefined ? ok(parseMsArg("--timeout", v.timeout)) : undefined;
  const leaseWait = dhcpTimeout(v);
  const o = openStack(v);
  if (v.dhcp) {
    try {
      await leaseFor(o, leaseWait, v.trace);
    } catch (e) {
      await shutdown(o, 0);
      throw e;
    }
  }
  const s = o.petrel.connect({ host, port, allowHalfOpen: true, timeout });
  let err: NodeJS.ErrnoException | null = null;
  s.on("error", (e: NodeJS.ErrnoException) => (err = e));
  s.on("softError", (e: NodeJS.ErrnoException) => process.stderr.write(`petrel: ${host}:${port}: ${e.code}, still trying\n`));
  s.on("timeout", () => {
    if (s.connecting) s.destroy(Object.assign(new Error(`connect ETIMEDOUT ${host}:${port}`), { code: "ETIMEDOUT" }));
  });
  s.on("connect", () => {
    s.setTimeout(0);
    process.stdin.pipe(s); // stdin EOF → end() → FIN (half-close)
  });
  s.pipe(process.stdout, { end: false });
  const closed = new Promise<void>((r) => s.on("close", () => r()));
  const off = onSignals(() => s.destroy());
  await closed;
  off();
  process.stdin.unpipe(s);
  process.stdin.destroy();
  await shutdown(o, 500);
  if (err) {
    process.stderr.write(`petrel: ${(err as Error).message}\n`);
    return 1;
  }
  return 0;
}

async function resolveCmd(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseArgs({ args: argv, options: { ...common, ...dhcpWait }, allowPositionals: true, strict: true });
  if (v.help) return void process.stdout.write(RESOLVE_USAGE), 0;
  if (positionals.length !== 1) throw new UsageError("NAME is required (one name)");
  if (v.dns === undefined && !v.dhcp) throw new UsageError("--dns ADDR is required (or --dhcp: the lease's DNS servers)");
  const leaseWait = dhcpTimeout(v);
  const o = openStack(v);
  try {
    if (v.dhcp) {
      const d = await leaseFor(o, leaseWait, v.trace);
      if (d.dns.length === 0 && v.dns === undefined) throw new Error(`the DHCP lease from ${d.server} names no DNS server (option 6): give one with --dns`);
    }
    const a = await o.petrel.resolve(positionals[0]!);
    process.stdout.write(a.addresses.map((x) => x + "\n").join(""));
    return 0;
  } finally {
    await shutdown(o, 0);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "serve":
        return await serve(rest);
      case "connect":
        return await connect(rest);
      case "resolve":
        return await resolveCmd(rest);
      case "sim":
        return await (await import("./sim.ts")).simMain(rest);
      case "qemu": {
        const q = await import("./qemu.ts");
        try {
          return await q.qemuMain(rest);
        } catch (e) {
          if (e instanceof q.QemuUsageError) throw new UsageError(e.message);
          throw e;
        }
      }
      case undefined:
      case "-h":
      case "--help":
      case "help":
        process.stdout.write(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (e) {
    // one line on stderr, never a stack trace: 2 for what the user typed, 1 for what the system said
    const line = (msg: string): string => msg.replace(/\s*\n\s*/g, " ").trim();
    const who = cmd === "serve" || cmd === "connect" || cmd === "resolve" ? `petrel ${cmd}` : "petrel";
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${who}: ${line((e as Error).message)} (see ${who} --help)\n`);
      return 2;
    }
    const code = (e as { code?: string }).code;
    process.stderr.write(`${who}: ${line((e as Error).message ?? String(e))}${code && !(e instanceof TapError) && !(e as Error).message?.includes(code) ? ` (${code})` : ""}\n`);
    return 1;
  }
}
