// The Stevens time-sequence graph of the connection that sends the scenario's data, drawn by the
// host's own plot code (host/plot.ts renderTimeSequenceSvg) from what the run recorded: the data
// segments its core sent with their fate, the ACKs its core took in, the ACKs lost on the way
// back, and cwnd/ssthresh/flight from tcp_info.
import { ACK, FIN, SYN } from "../../host/packet/packet.ts";
import { renderTimeSequenceSvg, type SeqPlotData } from "../../host/sim/plot.ts";
import type { Simulation } from "../simulation.ts";

export function plotData(sim: Simulation): SeqPlotData | null {
  const c = sim.sender;
  if (!c || !c.local || !c.remote) return null;
  const key = `${c.local}>${c.remote}`;
  const back = `${c.remote}>${c.local}`;
  const dir = (m: (typeof sim.msgs)[number]): string => (m.parsed.ip && m.parsed.tcp ? `${m.parsed.ip.src}:${m.parsed.tcp.sport}>${m.parsed.ip.dst}:${m.parsed.tcp.dport}` : "");
  const d: SeqPlotData = { segments: [], acks: [], lostAcks: [], cc: [], ccAvailable: false, infoWords: 0 };
  const shift = sim.windowShift(key);
  for (const m of sim.msgs) {
    const t = m.parsed.tcp;
    if (!t || m.relSeq === null) continue;
    const k = dir(m);
    if (k === key) {
      if (t.flags & SYN) continue;
      const fin = (t.flags & FIN) !== 0;
      if (t.payload.length === 0 && !fin) continue;
      d.segments.push({ t: m.sentMs, seq: m.relSeq - 1, len: t.payload.length, fin, retransmit: m.retransmit, lost: m.fate === "lost", corrupted: m.fate === "corrupted" });
    } else if (k === back && t.flags & ACK && !(t.flags & SYN) && m.relAck !== null) {
      const ack = m.relAck - 1;
      if (m.fate === "lost" || m.fate === "corrupted") d.lostAcks.push({ t: m.sentMs, ack });
      else if (m.arrivedMs !== null) {
        const sack: [number, number][] = [];
        for (const o of t.options ?? []) if (o.kind === "sack") for (const [l, r] of o.blocks) sack.push([(l - (t.ack - m.relAck)) - 1, (r - (t.ack - m.relAck)) - 1]);
        d.acks.push({ t: m.arrivedMs, ack, win: t.win * 2 ** shift, sack });
      }
    }
  }
  d.acks.sort((a, b) => a.t - b.t);
  for (const s of sim.cc) {
    if (s.cwnd !== undefined) d.ccAvailable = true;
    d.cc.push(s);
  }
  d.infoWords = d.ccAvailable ? 28 : 15;
  return d;
}

export function renderTsg(sim: Simulation, width = 900): string {
  const d = plotData(sim);
  if (!d) return `<p class="muted">The time-sequence graph appears once the data sender's connection exists.</p>`;
  const c = sim.sender!;
  return renderTimeSequenceSvg(d, { title: `Time-sequence graph: ${c.stack.name} ${c.local} → ${c.remote}`, subtitle: "data segments (red: retransmitted, crossed: lost/corrupted), ACKs, window; cwnd and ssthresh below", width });
}
