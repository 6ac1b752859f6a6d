// What the simulator's fault links did to every ARP frame: the record that tells a connect which
// failed because every ARP exchange was lost (the designed outcome: RFC 1122 2.3.2.1, the open ends
// after its resolutions fail, as on Linux) from one that failed for any other reason.
//
// Each host's FaultLink reports every frame it passes with its fate (FaultOptions.observe); the
// ledger keeps the ARP ones its host sent (tx): a frame got through when it was not lost and no
// corruption struck its Ethernet header or ARP body (bytes 0–41: a flipped padding byte changes
// nothing). Faults on the receive side are not in the record (the transfer puts every fault on the
// sending side); a frame they dropped would count as delivered, so they could only keep a verdict
// from proving a loss, never make it prove one.
import type { FrameFate } from "../link/fault.ts";
import { be16, be32, ETHERTYPE_ARP, u32ToIp } from "../packet/packet.ts";

/** Ethernet header (14) + ARP body for IPv4 over Ethernet (28). */
const ARP_END = 42;

export interface ArpRecord {
  /** The host that sent it. */
  host: string;
  timeMs: number;
  /** 1 request, 2 reply. */
  op: number;
  senderIp: number;
  targetIp: number;
  /** Copies that left the sender's link undamaged (0 lost or damaged, 2 duplicated). */
  delivered: number;
}

/** The verdict on one failed connect: whether the record proves every ARP exchange was lost, and why (or why not). */
export interface ArpVerdict {
  everyExchangeLost: boolean;
  why: string;
}

export class ArpLedger {
  readonly records: ArpRecord[] = [];

  /** The FaultOptions.observe of host `host`'s fault link. */
  observer(host: string): (d: FrameFate, frame: Uint8Array) => void {
    return (d, frame) => {
      if (d.dir !== "tx" || frame.length < ARP_END || be16(frame, 12) !== ETHERTYPE_ARP) return;
      const damaged = d.corruptAt >= 0 && d.corruptAt < ARP_END;
      this.records.push({
        host, timeMs: d.timeMs, op: be16(frame, 20), senderIp: be32(frame, 28), targetIp: be32(frame, 38),
        delivered: d.lost || damaged ? 0 : d.duplicated ? 2 : 1,
      });
    };
  }

  /**
   * Whether every ARP exchange between `asker` (address askerIp) and `target` (targetIp) in
   * [fromMs, toMs] was lost: the asker sent at least one request for targetIp; no ARP frame from the
   * target about itself (a reply, or a request of its own, from which the asker learns it too)
   * got through; and the target answered every copy of a request that got through, so that the
   * loss is the link's doing, not a silent target.
   */
  verdict(asker: string, askerIp: number, target: string, targetIp: number, fromMs: number, toMs: number): ArpVerdict {
    const sent = (host: string, match: (r: ArpRecord) => boolean): ArpRecord[] =>
      this.records.filter((r) => r.host === host && r.timeMs >= fromMs && r.timeMs <= toMs && match(r));
    const through = (rs: ArpRecord[]): number => rs.reduce((a, r) => a + r.delivered, 0);
    const requests = sent(asker, (r) => r.op === 1 && r.senderIp === askerIp && r.targetIp === targetIp);
    const fromTarget = sent(target, (r) => r.senderIp === targetIp && r.targetIp === askerIp);
    const replies = fromTarget.filter((r) => r.op === 2).length;
    const counts = `${requests.length} ARP requests from ${asker} for ${u32ToIp(targetIp)}, ${through(requests)} got through; ` +
      `${replies} replies from ${target}, ${through(fromTarget)} of its ARP frames got through`;
    if (requests.length === 0) return { everyExchangeLost: false, why: `${asker} sent no ARP request (${counts})` };
    if (through(fromTarget) > 0) return { everyExchangeLost: false, why: `an ARP frame of ${target} got through to ${asker} (${counts})` };
    if (replies < through(requests)) return { everyExchangeLost: false, why: `${target} left a request that reached it unanswered (${counts})` };
    return { everyExchangeLost: true, why: counts };
  }
}
