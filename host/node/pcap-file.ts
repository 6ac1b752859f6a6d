// A pcap file written as frames arrive (long real-time captures: `petrel serve --pcap`).
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { PCAP_SNAPLEN, pcapGlobalHeader, pcapRecord, type PcapSink } from "../packet/pcap.ts";

/** Streams records to a file (buffered, flushed every 1 MiB and on flush()/close()) for long real-time captures. */
export class PcapFileWriter implements PcapSink {
  private fd: number | null;
  private buf: Uint8Array[] = [];
  private bufBytes = 0;
  frames = 0;

  constructor(readonly path: string, readonly snaplen = PCAP_SNAPLEN) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
    writeSync(this.fd, pcapGlobalHeader(snaplen));
  }

  write(timeMs: number, frame: Uint8Array): void {
    if (this.fd === null) return;
    const r = pcapRecord(timeMs, frame, this.snaplen);
    this.buf.push(r);
    this.bufBytes += r.length;
    this.frames++;
    if (this.bufBytes >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.fd === null || this.bufBytes === 0) return;
    writeSync(this.fd, Buffer.concat(this.buf));
    this.buf = [];
    this.bufBytes = 0;
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    closeSync(this.fd);
    this.fd = null;
  }
}
