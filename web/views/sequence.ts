// The sequence (time-line) diagram of the lecture notes: one vertical time-line per host, time
// running down, an arrow per TCP segment from the sender's line at the time it was sent to the
// receiver's at the time it arrived, labelled with flags, seq, ack, win and len (sequence numbers
// relative to each side's ISN). Retransmissions are red, a segment lost on the wire ends half way
// with a cross, a corrupted one reaches the receiver crossed out (dropped for its checksum), a
// duplicated or reordered one is tagged. Each connection's states are written beside its host's
// line when they change. Rows are events in the order they happened, not a linear time scale:
// each send, arrival and state change has a row of its own, and a 2MSL wait takes one row.
import { ACK, FIN, PSH, RST, SYN, URG } from "../../host/packet/packet.ts";
import type { Simulation, WireMsg } from "../simulation.ts";

const ROW = 20;
const TOP = 46;
const LEFT = 78;
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

export function flagWords(f: number): string {
  const w: string[] = [];
  if (f & SYN) w.push("SYN");
  if (f & FIN) w.push("FIN");
  if (f & RST) w.push("RST");
  if (f & PSH) w.push("PSH");
  if (f & URG) w.push("URG");
  if (f & ACK) w.push("ACK");
  return w.join("+");
}

/** "SYN+ACK seq=0 ack=1 win=65535 len=0" (seq/ack relative to the ISNs). */
export function segmentLabel(m: WireMsg): string {
  const t = m.parsed.tcp!;
  const parts = [flagWords(t.flags), `seq=${m.relSeq ?? t.seq}`];
  if (t.flags & ACK) parts.push(`ack=${m.relAck ?? t.ack}`);
  parts.push(`win=${t.win}`, `len=${t.payload.length}`);
  return parts.join(" ");
}

/** Show at most this many segments (the latest). */
export const MAX_SEGMENTS = 400;

export function renderSequence(sim: Simulation, width = 900): string {
  const lanes = sim.lanes.filter((l) => sim.msgs.some((m) => m.parsed.tcp && (m.from === l || m.to === l)));
  if (lanes.length < 2) lanes.splice(0, lanes.length, ...sim.lanes);
  const x = new Map(lanes.map((l, i) => [l, LEFT + 110 + (i * (width - LEFT - 220)) / Math.max(1, lanes.length - 1)]));
  const all = sim.msgs.filter((m) => m.parsed.tcp && x.has(m.from) && m.to !== null && x.has(m.to));
  const msgs = all.slice(-MAX_SEGMENTS);
  const from = all.length > msgs.length ? msgs[0]!.sentOrder : -Infinity;
  const states = sim.marks.filter((t) => t.order >= from && x.has(t.host));
  // one row per thing that happened, in the order it happened: sends, arrivals, state changes
  const rows: { order: number; t: number }[] = [];
  for (const m of msgs) {
    rows.push({ order: m.sentOrder, t: m.sentMs });
    if (m.arrivedOrder !== null) rows.push({ order: m.arrivedOrder, t: m.arrivedMs! });
  }
  for (const t of states) rows.push({ order: t.order, t: t.timeMs });
  rows.sort((a, b) => a.order - b.order);
  const NOW = Number.MAX_SAFE_INTEGER;
  rows.push({ order: NOW, t: sim.now });
  const row = new Map(rows.map((r, i) => [r.order, TOP + 20 + i * ROW]));
  const y = (order: number): number => row.get(order)!;
  const height = TOP + 40 + rows.length * ROW;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" data-segments="${all.length}" data-retransmits="${all.filter((m) => m.retransmit).length}">`);
  out.push(`<defs><marker id="sq-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>`);
  if (all.length > msgs.length) out.push(`<text x="8" y="14" class="sq-note">… ${all.length - msgs.length} earlier segments not drawn</text>`);
  for (const [l, lx] of x) {
    out.push(`<text x="${lx}" y="${TOP - 14}" text-anchor="middle" class="sq-host">${esc(l)}</text>`);
    out.push(`<line x1="${lx}" y1="${TOP}" x2="${lx}" y2="${height - 10}" class="sq-lane"/>`);
  }
  let lastT = NaN;
  for (const r of rows) {
    if (r.t === lastT) continue; // a time is written once, at the first thing that happened then
    lastT = r.t;
    out.push(`<text x="${LEFT - 6}" y="${y(r.order) + 4}" text-anchor="end" class="sq-time">${(r.t / 1000).toFixed(3)} s</text>`);
  }
  for (const m of msgs) {
    const x1 = x.get(m.from)!, x2 = x.get(m.to!)!;
    const y1 = y(m.sentOrder);
    let x2e = x2, y2e: number;
    if (m.arrivedOrder !== null) y2e = y(m.arrivedOrder);
    else if (m.fate === "lost") { x2e = (x1 + x2) / 2; y2e = y1 + ROW * 0.8; }
    else { // in flight (or corrupted, not yet at the receiver): as far as now
      y2e = Math.max(y(NOW), y1 + ROW * 0.5);
      x2e = x1 + (x2 - x1) * 0.5;
    }
    const cls = ["msg", m.retransmit ? "rtx" : "", m.fate].filter(Boolean).join(" ");
    const f = m.parsed.tcp!.flags;
    out.push(`<g class="${cls}" data-id="${m.id}" data-flags="${flagWords(f)}" data-fate="${m.fate}" data-rtx="${m.retransmit ? 1 : 0}">`);
    out.push(`<line x1="${x1}" y1="${y1}" x2="${x2e.toFixed(1)}" y2="${y2e.toFixed(1)}" marker-end="${m.fate === "lost" ? "" : "url(#sq-arrow)"}"/>`);
    const tags = [m.retransmit ? "retransmission" : "", m.duplicated ? "duplicated" : "", m.reordered ? "reordered" : "", m.fate === "lost" ? "lost" : "", m.fate === "corrupted" ? "corrupted" : ""].filter(Boolean);
    const label = segmentLabel(m) + (tags.length ? `  (${tags.join(", ")})` : "");
    const lx = x1 + (x2 - x1) * 0.3, ly = y1 + (y2e - y1) * 0.3 - 4;
    out.push(`<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle" class="sq-label">${esc(label)}</text>`);
    if (m.fate === "lost" || m.fate === "corrupted") out.push(`<text x="${x2e.toFixed(1)}" y="${(y2e + 5).toFixed(1)}" text-anchor="middle" class="sq-x">✗</text>`);
    out.push("</g>");
  }
  for (const t of states) {
    const lx = x.get(t.host)!;
    const right = lanes.indexOf(t.host) < lanes.length - 1;
    const port = t.local.split(":")[1] ?? "";
    out.push(`<text x="${right ? lx - 8 : lx + 8}" y="${y(t.order) + 4}" text-anchor="${right ? "end" : "start"}" class="sq-state" data-host="${esc(t.host)}" data-state="${t.to}">${lanes.length > 2 || sim.clients.length > 1 ? `:${port} ` : ""}${t.to}</text>`);
  }
  out.push("</svg>");
  return out.join("");
}
