// `petrel sim …`: simulator commands. Today one: `petrel sim transfer` (two simulated stacks send
// N bytes each way at once under seeded faults, half-close and close; host/sim/transfer.ts).
// It prints exactly one JSON line on stdout (the trace, with --trace, goes to stderr) and exits 0
// only when both directions arrived byte-exact and both ends closed cleanly; 1 when the transfer
// failed; 2 for a usage error.
import { parseArgs } from "node:util";
import type { Profile } from "../core.ts";
import { writeOutput } from "../node/files.ts";
import { parseSize } from "../sim/describe.ts";
import { runTransferOutput, type TransferOptions } from "../sim/transfer.ts";
import { outputFileProblem } from "./args.ts";

/** What `petrel sim transfer` was asked: the run's options, and the files and trace of the command. */
export interface TransferArgs extends Omit<TransferOptions, "pcap" | "plot" | "trace"> {
  /** Write the wire capture here. */
  pcap?: string;
  /** Write the time-sequence graph (SVG) here. */
  plot?: string;
  /** Print the tcpdump-style trace on stderr. */
  trace?: boolean;
}

export const SIM_USAGE = `usage: petrel sim transfer [options]      (petrel sim COMMAND --help)

commands:
  transfer    two simulated Petrel stacks send N bytes each way at once, half-close and close
`;

export const TRANSFER_USAGE = `usage: petrel sim transfer --seed S --bytes N [options]

Two simulated Petrel stacks (client 198.18.0.2, server 198.18.0.1:5001) send N bytes to each other
at the same time, half-close (FIN), read to the end and close; then TIME_WAIT runs out. Prints one
JSON line:
  {"ok":…,"bytes":N,"sha256Match":…,"virtualMs":…,"wallMs":…,"retransmits":…,"fastRetransmits":…,
   "timeouts":…,"sackRecoveries":…,"finalStates":[client,server],"seed":S,"closedMs":…,"steps":…,
   "opens":…,"openedMs":…}
virtualMs: both directions delivered and both ends closed (TIME_WAIT or CLOSED); closedMs: both
connections CLOSED and freed (after 2MSL). opens: the client's connects (it opens again, up to 3
times, after an open that ended with EHOSTUNREACH because every ARP exchange was lost on the link);
openedMs: when the open that carried the transfer began. Exit status 0 only when ok. Same seed →
same output (wallMs aside).

  --seed S            seed of everything random: ISNs, ports, data, faults (default 1)
  --bytes N           bytes each way, at most 256M; suffixes K, M, G (×1024): 256K, 1M (default 256K)
  --loss P            drop each frame with probability P (0..1, or a percentage like 2%)
  --reorder P         hold a frame back 5 ms with probability P (later frames overtake it)
  --dup P             deliver a frame twice with probability P
  --corrupt P         flip one byte past the Ethernet header with probability P
                      (faults act on each host's transmit side: every frame meets one decision)
  --delay MS          one-way delay between the hosts (default 1)
  --jitter MS         extra uniform delay in [0, MS) per frame
  --bandwidth MBPS    link rate per host in Mbit/s: frames are spaced by their serialisation time
  --profile NAME      core build profile: tiny, default, server (default: default)
  --no-sack           do not offer SACK-permitted (RFC 2018): recovery is NewReno
  --no-timestamps     do not offer timestamps (RFC 7323): no PAWS, RTT timed per segment
  --no-wscale         do not offer window scaling (RFC 7323)
  --pcap FILE         write the wire capture (pcap) to FILE
  --trace             print the tcpdump-style trace with state changes and faults (on stderr)
  --plot FILE.svg     write a time-sequence graph (Stevens graph) of one direction
  --plot-dir DIR      c2s (client → server, default) or s2c
  --check             check the invariants (sequence, window and ring accounting, memory) after
                      every simulator event; a broken one fails the run
  --timeout MS        give up when the transfer has not finished after MS virtual ms (default 3600000)
  --max-steps N       give up after N simulator events (default max(1000000, 4 per byte))
  -h, --help          this text

example:
  petrel sim transfer --seed 7 --bytes 256K --loss 0.02 --plot out/seq.svg
`;

class UsageError extends Error {}

/** The largest --bytes: the sender's data, the receiver's copy and the expected stream, both ways. */
export const MAX_TRANSFER_BYTES = 256 << 20;

const PROFILES = ["tiny", "default", "server"] as const;

/** "0.02" or "2%" → 0.02 */
function probability(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const pct = v.trim().endsWith("%");
  const n = Number(pct ? v.trim().slice(0, -1) : v);
  const p = pct ? n / 100 : n;
  if (!Number.isFinite(p) || p < 0 || p > 1) throw new UsageError(`--${name} must be a probability between 0 and 1 (or 0%..100%), got ${JSON.stringify(v)}`);
  return p;
}

function nonNegative(name: string, v: string | undefined, positive = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (positive && n === 0)) throw new UsageError(`--${name} must be a ${positive ? "positive" : "non-negative"} number, got ${JSON.stringify(v)}`);
  return n;
}

/** Parse `transfer` arguments into TransferOptions (exported for tests). */
export function parseTransferArgs(argv: string[]): TransferArgs | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: "string" },
        bytes: { type: "string" },
        loss: { type: "string" },
        reorder: { type: "string" },
        dup: { type: "string" },
        corrupt: { type: "string" },
        delay: { type: "string" },
        jitter: { type: "string" },
        bandwidth: { type: "string" },
        profile: { type: "string" },
        "no-sack": { type: "boolean" },
        "no-timestamps": { type: "boolean" },
        "no-wscale": { type: "boolean" },
        pcap: { type: "string" },
        trace: { type: "boolean" },
        plot: { type: "string" },
        "plot-dir": { type: "string" },
        check: { type: "boolean" },
        timeout: { type: "string" },
        "max-steps": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return "help";
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be an integer 0..4294967295, got ${JSON.stringify(values.seed)}`);
  const bytes = values.bytes === undefined ? 256 * 1024 : parseSize(values.bytes);
  if (bytes === null) throw new UsageError(`--bytes must be a size like 4096, 256K or 1M, got ${JSON.stringify(values.bytes)}`);
  if (bytes > MAX_TRANSFER_BYTES) throw new UsageError(`--bytes ${values.bytes} is more than this tool can do: at most ${MAX_TRANSFER_BYTES >> 20}M each way (both directions' data is held in memory)`);
  for (const flag of ["pcap", "plot"] as const) {
    const why = values[flag] !== undefined ? outputFileProblem(`--${flag}`, values[flag]) : null;
    if (why) throw new UsageError(why);
  }
  if (values.profile !== undefined && !(PROFILES as readonly string[]).includes(values.profile)) throw new UsageError(`--profile must be one of ${PROFILES.join(", ")}, got ${JSON.stringify(values.profile)}`);
  const plotDir = values["plot-dir"];
  if (plotDir !== undefined && plotDir !== "c2s" && plotDir !== "s2c") throw new UsageError(`--plot-dir must be c2s or s2c, got ${JSON.stringify(plotDir)}`);
  const o: TransferArgs = {
    seed,
    bytes,
    loss: probability("loss", values.loss),
    reorder: probability("reorder", values.reorder),
    dup: probability("dup", values.dup),
    corrupt: probability("corrupt", values.corrupt),
    delay: nonNegative("delay", values.delay),
    jitter: nonNegative("jitter", values.jitter),
    bandwidth: nonNegative("bandwidth", values.bandwidth, true),
    profile: values.profile as Profile | undefined,
    sack: values["no-sack"] ? false : undefined,
    timestamps: values["no-timestamps"] ? false : undefined,
    wscale: values["no-wscale"] ? false : undefined,
    pcap: values.pcap,
    trace: values.trace,
    plot: values.plot,
    plotDir,
    invariants: values.check,
    maxVirtualMs: nonNegative("timeout", values.timeout, true),
    maxSteps: nonNegative("max-steps", values["max-steps"], true),
  };
  for (const k of Object.keys(o) as (keyof TransferArgs)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** `petrel sim …` (argv after "sim"). Returns the exit status. */
export async function simMain(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "-h" || cmd === "--help" || cmd === "help") {
    process.stdout.write(SIM_USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd !== "transfer") {
    process.stderr.write(`petrel sim: unknown command ${JSON.stringify(cmd)}\n${SIM_USAGE}`);
    return 2;
  }
  let o: TransferArgs | "help";
  try {
    o = parseTransferArgs(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`petrel sim transfer: ${e.message.replace(/\s*\n\s*/g, " ")} (see petrel sim transfer --help)\n`);
    return 2;
  }
  if (o === "help") {
    process.stdout.write(TRANSFER_USAGE);
    return 0;
  }
  try {
    const { pcap, plot, trace, ...run } = o;
    const out = runTransferOutput({ ...run, pcap: pcap !== undefined, plot: plot !== undefined, trace: trace ? (l) => process.stderr.write(l + "\n") : undefined });
    if (pcap !== undefined) writeOutput(pcap, out.pcap!);
    if (plot !== undefined) writeOutput(plot, out.plotSvg!);
    const r = out.result;
    process.stdout.write(JSON.stringify(r) + "\n");
    return r.ok ? 0 : 1;
  } catch (e) {
    // something outside the transfer itself (module missing, file not writable): still one JSON line
    process.stdout.write(JSON.stringify({ ok: false, bytes: o.bytes, seed: o.seed, error: (e as Error).message }) + "\n");
    return 1;
  }
}
