// Recording one direction of a transfer for the time-sequence graph (sim/plot.ts draws it).
import type { TcpInfo } from "../core.ts";
import { ACK, FIN, SYN, parseFrame, type TcpOption, type TcpSegment } from "../packet/packet.ts";
import type { Stack } from "../stack/stack.ts";
import { seqDiff } from "./invariants.ts";
import type { SeqPlotData } from "./plot.ts";

/** The TCP segment of a frame, or undefined when it carries none (packet/packet.ts parses). */
const tcpOf = (f: Uint8Array): TcpSegment | undefined => parseFrame(f).tcp;

/**
 * Records one direction as the sender sees it (like tcptrace on a capture taken at the sender):
 * every segment the sender's core emits (with the fault link's verdict: lost / corrupted on the
 * wire), every ACK the sender's core accepts (cumulative ack, window, SACK blocks), and the
 * sender's tcp_info (cwnd, ssthresh, bytes in flight) after every simulator event.
 */
export class SeqRecorder {
  readonly receiver: "client" | "server";
  private d: SeqPlotData = { segments: [], acks: [], lostAcks: [], cc: [], ccAvailable: false, infoWords: 0 };
  private isn: number | null = null;
  private sndWsOffer: number | null = null;
  private rcvWsOffer: number | null = null;
  private txIndex = 0;
  private rcvTxIndex = 0;
  /** receiver's tx frame number → its cumulative ack (relative), for ACKs lost on the way back */
  private rcvAckByIndex = new Map<number, [number, number]>();
  private highest = 0;
  private byIndex = new Map<number, number>();
  private lastCc = "";

  constructor(readonly sender: "client" | "server") {
    this.receiver = sender === "client" ? "server" : "client";
  }

  attach(client: Stack, server: Stack): void {
    const snd = this.sender === "client" ? client : server;
    snd.on("tx", (f) => this.tx(snd.now, f));
    snd.on("rx", (f, rc) => { if (rc >= 0) this.rx(snd.now, f); });
    const rcv = this.sender === "client" ? server : client;
    rcv.on("tx", (f) => {
      const index = this.rcvTxIndex++;
      const h = tcpOf(f);
      if (h && this.isn !== null && h.flags & ACK && !(h.flags & SYN)) this.rcvAckByIndex.set(index, [rcv.now, this.rel(h.ack)]);
    });
  }

  private rel(seq: number): number {
    return ((seq - (this.isn! + 1)) | 0);
  }

  private tx(t: number, f: Uint8Array): void {
    const index = this.txIndex++; // the FaultLink's frame number on this host's tx side
    const h = tcpOf(f);
    if (!h) return;
    if (h.flags & SYN) {
      this.isn = h.seq;
      this.sndWsOffer = wscaleOf(h.options);
      return;
    }
    if (this.isn === null) return;
    const fin = (h.flags & FIN) !== 0;
    const len = h.payload.length;
    if (len === 0 && !fin) return;
    const seq = this.rel(h.seq);
    const end = seq + len + (fin ? 1 : 0);
    const retransmit = end <= this.highest;
    this.highest = Math.max(this.highest, end);
    this.byIndex.set(index, this.d.segments.length);
    this.d.segments.push({ t, seq, len, fin, retransmit, lost: false, corrupted: false });
  }

  private rx(t: number, f: Uint8Array): void {
    const h = tcpOf(f);
    if (!h) return;
    if (h.flags & SYN) {
      this.rcvWsOffer = wscaleOf(h.options);
      return;
    }
    if (!(h.flags & ACK) || this.isn === null) return;
    const shift = this.sndWsOffer !== null && this.rcvWsOffer !== null ? this.rcvWsOffer : 0;
    const sack: [number, number][] = [];
    for (const opt of h.options ?? []) if (opt.kind === "sack") for (const [l, r] of opt.blocks) sack.push([this.rel(l), this.rel(r)]);
    this.d.acks.push({ t, ack: this.rel(h.ack), win: h.win * 2 ** shift, sack });
  }

  fault(host: string, dir: "tx" | "rx", index: number, lost: boolean, corrupted: boolean): void {
    if (dir !== "tx") return;
    if (host === this.receiver) {
      const a = this.rcvAckByIndex.get(index);
      if (a && (lost || corrupted)) this.d.lostAcks.push({ t: a[0], ack: a[1] });
      return;
    }
    if (host !== this.sender) return;
    const i = this.byIndex.get(index);
    if (i === undefined) return;
    const s = this.d.segments[i]!;
    if (lost) s.lost = true;
    if (corrupted) s.corrupted = true;
  }

  sample(t: number, i: TcpInfo | null): void {
    if (!i || this.isn === null) return;
    this.d.infoWords = Math.max(this.d.infoWords, i.words);
    if (i.cwnd !== undefined) this.d.ccAvailable = true;
    const flight = seqDiff(i.sndMax ?? i.sndNxt, i.sndUna);
    const key = `${i.cwnd}/${i.ssthresh}/${flight}`;
    if (key === this.lastCc) return;
    this.lastCc = key;
    this.d.cc.push({ t, cwnd: i.cwnd, ssthresh: i.ssthresh, flight: Math.max(0, flight) });
  }

  data(): SeqPlotData {
    return this.d;
  }
}

function wscaleOf(opts: TcpOption[] | null): number | null {
  for (const o of opts ?? []) if (o.kind === "wscale") return o.value;
  return null;
}
