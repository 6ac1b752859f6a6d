// Pcap and trace middleware: record every frame passing through, in both directions, stamped with
// the virtual clock.
import type { TimeSource } from "../time/clock.ts";
import { PcapWriter, type PcapSink } from "../packet/pcap.ts";
import { formatFrame } from "../packet/trace.ts";
import { Middleware, type Link } from "./link.ts";

export class PcapLink<W extends PcapSink = PcapWriter> extends Middleware {
  constructor(inner: Link, private readonly clock: TimeSource, readonly writer: W = new PcapWriter() as PcapSink as W) {
    super(inner);
  }
  protected override down(frame: Uint8Array): void {
    this.writer.write(this.clock.now, frame);
    this.inner.send(frame);
  }
  protected override up(frame: Uint8Array): void {
    this.writer.write(this.clock.now, frame);
    this.handlers.emit(frame);
  }
}

export interface TraceLinkOptions {
  /** Prefix for each line (e.g. the host's name). */
  prefix?: string;
  /** Which directions to print (default both). */
  directions?: ("tx" | "rx")[];
}

/** One tcpdump-style line per frame to `sink` (console.log by default), marked "<" rx / ">" tx. */
export class TraceLink extends Middleware {
  constructor(inner: Link, private readonly clock: TimeSource, private readonly sink: (line: string) => void = console.log, private readonly o: TraceLinkOptions = {}) {
    super(inner);
  }
  private line(dir: "tx" | "rx", frame: Uint8Array): void {
    if (this.o.directions && !this.o.directions.includes(dir)) return;
    const prefix = this.o.prefix ? `${this.o.prefix} ${dir === "tx" ? ">" : "<"} ` : "";
    this.sink(prefix + formatFrame(this.clock.now, frame));
  }
  protected override down(frame: Uint8Array): void {
    this.line("tx", frame);
    this.inner.send(frame);
  }
  protected override up(frame: Uint8Array): void {
    this.line("rx", frame);
    this.handlers.emit(frame);
  }
}
