// The RFC 9293 connection state diagram (section 3.3.2, Figure 5) as SVG, for one connection: the
// current state lit, every state it went through tinted, the transition it took last drawn bold
// with its label. A transition the figure does not draw (e.g. a reset: ESTABLISHED → CLOSED) is
// added as a dashed arc when it happens. The SVG carries data-state / data-visited for tests.
import type { ConnView } from "../simulation.ts";

const NODES: Record<string, [number, number]> = {
  CLOSED: [320, 56],
  LISTEN: [320, 134],
  SYN_RECEIVED: [130, 212],
  SYN_SENT: [510, 212],
  ESTABLISHED: [320, 290],
  FIN_WAIT_1: [130, 368],
  CLOSE_WAIT: [510, 368],
  FIN_WAIT_2: [130, 446],
  CLOSING: [320, 446],
  LAST_ACK: [510, 446],
  TIME_WAIT: [320, 524],
};
const LABEL: Record<string, string> = { SYN_RECEIVED: "SYN-RCVD", SYN_SENT: "SYN-SENT", FIN_WAIT_1: "FIN-WAIT-1", FIN_WAIT_2: "FIN-WAIT-2", CLOSE_WAIT: "CLOSE-WAIT", LAST_ACK: "LAST-ACK", TIME_WAIT: "TIME-WAIT" };

/** [from, to, label, bend] — bend: curvature of the arc (0 straight). */
const EDGES: [string, string, string, number][] = [
  ["CLOSED", "LISTEN", "passive OPEN", -0.25],
  ["LISTEN", "CLOSED", "CLOSE", -0.25],
  ["CLOSED", "SYN_SENT", "active OPEN / snd SYN", 0.15],
  ["LISTEN", "SYN_RECEIVED", "rcv SYN / snd SYN,ACK", 0],
  ["LISTEN", "SYN_SENT", "SEND / snd SYN", 0],
  ["SYN_SENT", "CLOSED", "CLOSE", 0.15],
  ["SYN_RECEIVED", "LISTEN", "rcv RST", 0.25],
  ["SYN_SENT", "SYN_RECEIVED", "rcv SYN / snd SYN,ACK", 0],
  ["SYN_RECEIVED", "ESTABLISHED", "rcv ACK of SYN", 0],
  ["SYN_SENT", "ESTABLISHED", "rcv SYN,ACK / snd ACK", 0],
  ["SYN_RECEIVED", "FIN_WAIT_1", "CLOSE / snd FIN", 0],
  ["ESTABLISHED", "FIN_WAIT_1", "CLOSE / snd FIN", 0],
  ["ESTABLISHED", "CLOSE_WAIT", "rcv FIN / snd ACK", 0],
  ["FIN_WAIT_1", "FIN_WAIT_2", "rcv ACK of FIN", 0],
  ["FIN_WAIT_1", "CLOSING", "rcv FIN / snd ACK", 0],
  ["CLOSE_WAIT", "LAST_ACK", "CLOSE / snd FIN", 0],
  ["FIN_WAIT_2", "TIME_WAIT", "rcv FIN / snd ACK", 0],
  ["CLOSING", "TIME_WAIT", "rcv ACK of FIN", 0],
  ["FIN_WAIT_1", "TIME_WAIT", "rcv FIN,ACK / snd ACK", 0.2],
  ["LAST_ACK", "CLOSED", "rcv ACK of FIN", 0.55],
  ["TIME_WAIT", "CLOSED", "timeout = 2MSL", -0.62],
];

/** A transition the core reports that the figure draws as two steps (a listener's child starts in SYN-RECEIVED). */
const VIA: Record<string, string[]> = { "CLOSED>SYN_RECEIVED": ["CLOSED>LISTEN", "LISTEN>SYN_RECEIVED"] };

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const W = 64, H = 15; // node half sizes

function arc(a: [number, number], b: [number, number], bend: number): { d: string; mid: [number, number] } {
  // from box edge to box edge along the line between centres, bent sideways by `bend`
  const [x1, y1] = a, [x2, y2] = b;
  const dx = x2 - x1, dy = y2 - y1;
  const len = Math.hypot(dx, dy) || 1;
  const cut = (ux: number, uy: number): number => Math.min(Math.abs(ux) > 1e-6 ? W / Math.abs(ux) : Infinity, Math.abs(uy) > 1e-6 ? H / Math.abs(uy) : Infinity);
  const ux = dx / len, uy = dy / len;
  const c = cut(ux, uy);
  const sx = x1 + ux * c, sy = y1 + uy * c, ex = x2 - ux * c, ey = y2 - uy * c;
  const mx = (sx + ex) / 2 - uy * bend * len, my = (sy + ey) / 2 + ux * bend * len;
  const d = bend === 0 ? `M${sx.toFixed(1)},${sy.toFixed(1)}L${ex.toFixed(1)},${ey.toFixed(1)}` : `M${sx.toFixed(1)},${sy.toFixed(1)}Q${mx.toFixed(1)},${my.toFixed(1)} ${ex.toFixed(1)},${ey.toFixed(1)}`;
  const mid: [number, number] = bend === 0 ? [(sx + ex) / 2, (sy + ey) / 2] : [(sx + 2 * mx + ex) / 4, (sy + 2 * my + ey) / 4];
  return { d, mid };
}

/** The diagram of one connection (or of none: every state dark). */
export function renderStateDiagram(c: ConnView | null, title: string): string {
  const visited = new Set(c?.states ?? []);
  const taken = new Set<string>();
  for (let i = 1; i < (c?.states.length ?? 0); i++) {
    const k = `${c!.states[i - 1]}>${c!.states[i]}`;
    for (const e of VIA[k] ?? [k]) taken.add(e);
    if (VIA[k]) visited.add("LISTEN");
  }
  const lastKey = c?.last ? `${c.last.from}>${c.last.to}` : "";
  const last = new Set(VIA[lastKey] ?? (lastKey ? [lastKey] : []));
  const edges = [...EDGES];
  for (const k of taken) if (!edges.some(([f, t]) => `${f}>${t}` === k)) { const [f, t] = k.split(">"); edges.push([f!, t!, "", 0.3]); }
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="state-diagram" viewBox="0 0 640 562" data-host="${esc(c?.host ?? "")}" data-state="${esc(c?.state ?? "")}" data-visited="${esc([...visited].join(" "))}" role="img" aria-label="${esc(title)}">`);
  out.push(`<defs><marker id="sd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker></defs>`);
  out.push(`<text x="8" y="20" class="sd-title">${esc(title)}</text>`);
  for (const [f, t, label, bend] of edges) {
    const k = `${f}>${t}`;
    const cls = last.has(k) ? "edge last" : taken.has(k) ? "edge taken" : "edge";
    const extra = !EDGES.some(([a, b]) => `${a}>${b}` === k) ? " extra" : "";
    const { d, mid } = arc(NODES[f] ?? NODES.CLOSED!, NODES[t] ?? NODES.CLOSED!, bend);
    out.push(`<path class="${cls}${extra}" data-edge="${k}" d="${d}" marker-end="url(#sd-arrow)"/>`);
    const text = label || (c?.last && lastKey === k ? `${c.last.from} → ${c.last.to}` : "");
    if (text) out.push(`<text class="elabel${last.has(k) ? " last" : ""}" x="${mid[0].toFixed(1)}" y="${(mid[1] - 3).toFixed(1)}" text-anchor="middle">${esc(text)}</text>`);
  }
  for (const [s, [x, y]] of Object.entries(NODES)) {
    const cls = c?.state === s ? "node current" : visited.has(s) ? "node visited" : "node";
    out.push(`<g class="${cls}" data-state="${s}"><rect x="${x - W}" y="${y - H}" width="${2 * W}" height="${2 * H}" rx="6"/><text x="${x}" y="${y + 5}" text-anchor="middle">${LABEL[s] ?? s}</text></g>`);
  }
  if (c?.last) out.push(`<text x="632" y="554" text-anchor="end" class="sd-foot">last: ${esc(c.last.from)} → ${esc(c.last.to)} at ${(c.last.timeMs / 1000).toFixed(3)} s</text>`);
  out.push("</svg>");
  return out.join("");
}
