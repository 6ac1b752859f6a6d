// The options and results of a transfer (sim/transfer.ts runs it).
import type { Profile, TcpInfo } from "../core.ts";
import type { Stack } from "../stack/stack.ts";
import type { SimNet } from "./sim.ts";

export interface TransferOptions {
  seed: number;
  /** Bytes sent in each direction. */
  bytes: number;
  /** Probabilities per frame, on each host's transmit side. */
  loss?: number;
  reorder?: number;
  dup?: number;
  corrupt?: number;
  /** One-way delay between the hosts in ms (default 1). */
  delay?: number;
  /** Extra uniform delay in [0, jitter) ms per frame. */
  jitter?: number;
  /** Link rate in Mbit/s per host (serialisation delay); default unlimited. */
  bandwidth?: number;
  profile?: Profile;
  /** Offer SACK (RFC 2018), timestamps and window scaling (RFC 7323) on the SYNs; default true each. */
  sack?: boolean;
  timestamps?: boolean;
  wscale?: boolean;
  /** Keep the wire capture (TransferOutput.pcap). */
  pcap?: boolean;
  /** Hand each line of the tcpdump-style trace (with state changes and faults) to this function. */
  trace?: (line: string) => void;
  /** Draw the time-sequence graph (TransferOutput.plotSvg). */
  plot?: boolean;
  /** Which direction the graph shows (default client→server). */
  plotDir?: "c2s" | "s2c";
  /** Check the invariants (InvariantChecker) after every simulator event. */
  invariants?: boolean;
  /** Bound of phase 1 in virtual ms (default: 1 hour). */
  maxVirtualMs?: number;
  /** Bound of scheduler steps over the whole run (default max(1e6, 4 × bytes); a healthy 256 KiB run takes a few thousand). */
  maxSteps?: number;
  /** Called after every simulator event (for tests that watch the run). */
  onStep?: (run: TransferRun) => void;
  /** How many times the client opens the connection when an open ends with EHOSTUNREACH and the
   *  simulator's record shows every ARP exchange of it was lost (default 3; 1: no second open). */
  opens?: number;
  /** Scripted drops (tests): return true to drop this frame at host's transmit ("tx") or receive ("rx") side. */
  drop?: (host: "client" | "server", dir: "tx" | "rx", frame: Uint8Array) => boolean;
}

export interface TransferResult {
  ok: boolean;
  bytes: number;
  sha256Match: boolean;
  /** Virtual ms until both directions were delivered and both ends had closed (TIME_WAIT or CLOSED). */
  virtualMs: number;
  wallMs: number;
  retransmits: number;
  fastRetransmits: number;
  timeouts: number;
  sackRecoveries: number;
  /** [client, server] connection state at the end. */
  finalStates: string[];
  seed: number;
  /** Virtual ms until both connections were CLOSED and freed (after TIME_WAIT). */
  closedMs: number;
  /** Scheduler steps (simulator events) the run took. */
  steps: number;
  /** Connections the client opened: 1, more when an open failed because every ARP exchange was lost. */
  opens: number;
  /** Virtual ms at which the client started the open that carried the transfer (0 for the first). */
  openedMs: number;
  /** Why ok is false. */
  error?: string;
}

/** A run's result and what it was asked to keep. */
export interface TransferOutput {
  result: TransferResult;
  /** The wire capture (pcap file bytes) when `pcap` was set. */
  pcap: Uint8Array | null;
  /** The time-sequence graph (an SVG document) when `plot` was set. */
  plotSvg: string | null;
}

/** The live run, as seen by onStep. */
export interface TransferRun {
  net: SimNet;
  client: Stack;
  server: Stack;
  /** The latest tcp_info of each end's connection (null before it exists / after it is gone). */
  info: { client: TcpInfo | null; server: TcpInfo | null };
}
