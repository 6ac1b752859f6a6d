// A scripted peer for single-stack tests (smoltcp's socket tests and gVisor's checker are the
// models): the test plays the other end over a ChannelLink, crafting segments with correct
// checksums and inspecting what the stack sends. ARP requests for the peer's address are answered
// automatically (switch off with autoArp: false).
//
//   const { net, stack, peer } = Peer.setup({ seed: 1 });
//   const conn = stack.connect(peer.ip, 80);
//   const syn = peer.expectTcp({ flags: "S" });
//   peer.sendTcp({ sport: 80, dport: syn.tcp.sport, seq: 1000, ack: syn.tcp.seq + 1, flags: "S." });
import { Clock } from "../time/clock.ts";
import type { CoreOptions } from "../core.ts";
import { ChannelLink, type CapturedFrame } from "../link/channel.ts";
import { buildArpFrame, buildIcmpEchoFrame, buildTcpFrame, parseFlags, type IcmpEchoFields, type Ipv4Packet, type TcpFields, type TcpSegment } from "../packet/packet.ts";
import { Stack } from "../stack/stack.ts";
import { formatFrame } from "../packet/trace.ts";

export interface PeerOptions {
  ip?: string;
  mac?: string;
  autoArp?: boolean;
}

export type TcpCapture = CapturedFrame & { tcp: TcpSegment; ip: Ipv4Packet };

export class Peer {
  readonly ip: string;
  readonly mac: string;
  /** Lines of every frame exchanged, tcpdump style (handy in assertion messages). */
  readonly log: string[] = [];

  constructor(readonly stack: Stack, readonly link: ChannelLink, o: PeerOptions = {}) {
    this.ip = o.ip ?? "198.18.0.2";
    this.mac = o.mac ?? "02:00:00:00:00:02";
    link.watch((c) => {
      this.log.push(formatFrame(c.timeMs, c.parsed));
      const a = c.parsed.arp;
      if (o.autoArp !== false && a && a.op === 1 && a.targetIp === this.ip) {
        this.inject(buildArpFrame({ op: "reply", senderMac: this.mac, senderIp: this.ip, targetMac: a.senderMac, targetIp: a.senderIp }));
      }
    });
  }

  /** A stack on a ChannelLink with a Peer on the other end. */
  static setup(o: { seed?: number; ip?: string; mac?: string; peerIp?: string; peerMac?: string; core?: CoreOptions; autoArp?: boolean } = {}): { clock: Clock; stack: Stack; link: ChannelLink; peer: Peer } {
    const clock = new Clock(0);
    const link = new ChannelLink(clock);
    const stack = new Stack({ name: "stack", ip: o.ip ?? "198.18.0.1", mac: o.mac ?? "02:00:00:00:00:01", prefix: 24, seed: o.seed ?? 1, clock, link, core: o.core });
    const peer = new Peer(stack, link, { ip: o.peerIp, mac: o.peerMac, autoArp: o.autoArp });
    return { clock, stack, link, peer };
  }

  /** The simulator's virtual clock (a Peer only runs on one). */
  get clock(): Clock {
    if (!(this.stack.clock instanceof Clock)) throw new Error("Peer needs a stack on the virtual Clock");
    return this.stack.clock;
  }

  /** Deliver a raw frame to the stack (through the scheduler, `delayMs` from now). */
  inject(frame: Uint8Array, delayMs = 0): void {
    this.log.push(formatFrame(this.clock.now + delayMs, frame));
    this.link.inject(frame, delayMs);
  }

  /** Craft a TCP segment from the peer to the stack (addresses and MACs filled in) and deliver it now. */
  sendTcp(f: Omit<TcpFields, "src" | "dst"> & { src?: string; dst?: string; delayMs?: number; run?: boolean }): void {
    const frame = buildTcpFrame({ src: this.ip, dst: this.stack.ip, srcMac: this.mac, dstMac: this.stack.mac, ...f });
    this.inject(frame, f.delayMs ?? 0);
    if (f.run !== false && !f.delayMs) this.clock.runFor(0);
  }

  /** Send an ICMP echo request to the stack. */
  ping(f: IcmpEchoFields): void {
    this.inject(buildIcmpEchoFrame({ ...f, src: this.ip, dst: this.stack.ip, srcMac: this.mac, dstMac: this.stack.mac }));
    this.clock.runFor(0);
  }

  /** TCP segments the stack sent since the last call (ARP and others skipped). */
  tcpSegments(): TcpCapture[] {
    return this.link.drain().filter((c): c is TcpCapture => !!c.parsed.tcp && !!c.parsed.ip).map((c) => ({ ...c, tcp: c.parsed.tcp!, ip: c.parsed.ip! }));
  }

  /**
   * Run until the stack sends a TCP segment (bounded by maxVirtualMs), check it against `want`
   * and return it. Frames other than TCP are skipped.
   */
  expectTcp(want: { flags?: string | number; seq?: number; ack?: number; payload?: string | Uint8Array } = {}, bounds: { maxVirtualMs?: number } = {}): TcpCapture {
    let got: TcpCapture | undefined;
    this.clock.runUntil(
      () => {
        for (let c = this.link.take(); c; c = this.link.take()) {
          if (c.parsed.tcp && c.parsed.ip) {
            got = { ...c, tcp: c.parsed.tcp, ip: c.parsed.ip };
            return true;
          }
        }
        return false;
      },
      { maxVirtualMs: bounds.maxVirtualMs ?? 10_000, what: `a TCP segment from ${this.stack.name}` },
    );
    const seg = got!;
    const where = `\n  got: ${formatFrame(seg.timeMs, seg.parsed)}`;
    if (want.flags !== undefined && seg.tcp.flags !== parseFlags(want.flags)) throw new Error(`expected flags ${want.flags}${where}`);
    if (want.seq !== undefined && seg.tcp.seq !== want.seq >>> 0) throw new Error(`expected seq ${want.seq >>> 0}${where}`);
    if (want.ack !== undefined && seg.tcp.ack !== want.ack >>> 0) throw new Error(`expected ack ${want.ack >>> 0}${where}`);
    if (want.payload !== undefined) {
      const p = typeof want.payload === "string" ? new TextEncoder().encode(want.payload) : want.payload;
      const q = seg.tcp.payload;
      if (p.length !== q.length || p.some((b, i) => b !== q[i])) throw new Error(`unexpected payload${where}`);
    }
    return seg;
  }

  /** Run `ms` and assert the stack sent no TCP segment meanwhile. */
  expectNoTcp(ms: number): void {
    this.clock.runFor(ms);
    const segs = this.tcpSegments();
    if (segs.length) throw new Error(`expected no TCP segment within ${ms} ms, got:\n  ${segs.map((s) => formatFrame(s.timeMs, s.parsed)).join("\n  ")}`);
  }
}
