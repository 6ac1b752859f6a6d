// A time-sequence graph (tcptrace's / Wireshark's "Stevens" graph) as a standalone SVG string, no
// dependencies. Top panel: x = virtual time, y = sequence offset from the ISN; each data segment is
// a vertical tick from seq to seq+len (retransmissions in red, segments lost or corrupted on the
// wire crossed out), the receiver's cumulative ACK as a stepped line, the window limit (ack + window)
// as a stepped line, SACK blocks as short bars. Bottom panel: cwnd and ssthresh from tcp_info (when
// the core reports them) and the bytes in flight.

export interface SeqSegment {
  /** ms */
  t: number;
  /** offset of the first byte from ISN + 1 */
  seq: number;
  len: number;
  fin: boolean;
  retransmit: boolean;
  /** dropped by the fault link on the way / a byte flipped (the receiver discards it) */
  lost: boolean;
  corrupted: boolean;
}

export interface SeqAck {
  t: number;
  ack: number;
  /** advertised window in bytes (scaled) */
  win: number;
  sack: [number, number][];
}

export interface SeqLostAck {
  /** when the receiver sent it */
  t: number;
  ack: number;
}

export interface SeqCc {
  t: number;
  cwnd?: number;
  ssthresh?: number;
  /** snd_max (or snd_nxt) − snd_una */
  flight: number;
}

export interface SeqPlotData {
  segments: SeqSegment[];
  acks: SeqAck[];
  /** receiver frames (carrying an ACK) lost or corrupted on the way back */
  lostAcks: SeqLostAck[];
  cc: SeqCc[];
  /** tcp_info carried cwnd/ssthresh (words 15, 16). */
  ccAvailable: boolean;
  /** tcp_info words the core wrote (15 for the 60-byte layout, 28 for the full one). */
  infoWords: number;
}

export interface PlotOptions {
  title: string;
  subtitle?: string;
  width?: number;
}

const COLORS = {
  data: "#1f5fbf",
  rtx: "#d62728",
  lost: "#7f0000",
  corrupt: "#e07b00",
  ack: "#2ca02c",
  lostAck: "#116611",
  win: "#ff9f1c",
  sack: "#9467bd",
  cwnd: "#1f5fbf",
  ssthresh: "#d62728",
  flight: "#9aa5b1",
  grid: "#e5e8ec",
  axis: "#333",
  text: "#222",
  muted: "#666",
};

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

/** About n "nice" ticks (1, 2, 5 × 10^k) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, n = 8): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

/** Ticks for byte counts: powers of two of KiB when that reads better. */
function byteTicks(hi: number, n: number): number[] {
  if (hi <= 0) return [0];
  const raw = hi / n;
  let step = 1;
  while (step < raw) step *= 2;
  const out: number[] = [];
  for (let v = 0; v <= hi; v += step) out.push(v);
  return out;
}

export function formatByteAxis(v: number): string {
  if (v === 0) return "0";
  if (v >= 1 << 20) return `${f1(v / (1 << 20))} MiB`;
  if (v >= 1024) return `${f1(v / 1024)} KiB`;
  return `${v} B`;
}

function formatSeconds(ms: number, step: number): string {
  const digits = step >= 1000 ? 0 : step >= 100 ? 1 : step >= 10 ? 2 : 3;
  return `${(ms / 1000).toFixed(digits)}`;
}

class Svg {
  parts: string[] = [];
  add(s: string): void {
    this.parts.push(s);
  }
  text(x: number, y: number, s: string, attrs = ""): void {
    this.add(`<text x="${f1(x)}" y="${f1(y)}" ${attrs}>${esc(s)}</text>`);
  }
  line(x1: number, y1: number, x2: number, y2: number, attrs: string): void {
    this.add(`<line x1="${f1(x1)}" y1="${f1(y1)}" x2="${f1(x2)}" y2="${f1(y2)}" ${attrs}/>`);
  }
}

/** A stepped polyline through (x, y) points: horizontal to the next x, then vertical. */
function stepPath(points: [number, number][], xEnd: number): string {
  if (!points.length) return "";
  let d = `M${f1(points[0]![0])},${f1(points[0]![1])}`;
  for (let i = 1; i < points.length; i++) d += `H${f1(points[i]![0])}V${f1(points[i]![1])}`;
  d += `H${f1(xEnd)}`;
  return d;
}

export function renderTimeSequenceSvg(d: SeqPlotData, o: PlotOptions): string {
  const W = o.width ?? 1100;
  const L = 90, R = 30;
  const top = { y0: 100, h: 430 };
  const bot = { y0: top.y0 + top.h + 100, h: 170 };
  const H = bot.y0 + bot.h + 56;
  const pw = W - L - R;
  const svg = new Svg();
  svg.add(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`);
  svg.add(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  svg.text(L, 24, o.title, `font-size="16" font-weight="bold" fill="${COLORS.text}"`);
  if (o.subtitle) svg.text(L, 42, o.subtitle, `fill="${COLORS.muted}"`);

  // ── scales ──
  const times = [...d.segments.map((s) => s.t), ...d.acks.map((a) => a.t)];
  const t0 = 0;
  const t1 = Math.max(1, ...times) ;
  const tTicks = niceTicks(t0, t1, 10);
  const tMax = Math.max(t1, tTicks.at(-1)!);
  const x = (t: number): number => L + ((t - t0) / (tMax - t0)) * pw;
  const dataMax = Math.max(1, ...d.segments.map((s) => s.seq + s.len + (s.fin ? 1 : 0)));
  const winMax = Math.max(0, ...d.acks.map((a) => a.ack + a.win));
  const yMaxRaw = Math.max(dataMax, winMax) * 1.02;
  const yTicks = byteTicks(yMaxRaw, 8);
  const yMax = Math.max(yMaxRaw, yTicks.at(-1)!);
  const y = (v: number): number => top.y0 + top.h - (Math.max(0, v) / yMax) * top.h;

  // ── top panel: grid and axes ──
  svg.add(`<g stroke="${COLORS.grid}" stroke-width="1">`);
  for (const t of tTicks) svg.line(x(t), top.y0, x(t), top.y0 + top.h, "");
  for (const v of yTicks) svg.line(L, y(v), L + pw, y(v), "");
  svg.add(`</g>`);
  svg.add(`<rect x="${L}" y="${top.y0}" width="${pw}" height="${top.h}" fill="none" stroke="${COLORS.axis}"/>`);
  const tStep = tTicks.length > 1 ? tTicks[1]! - tTicks[0]! : 1000;
  for (const t of tTicks) svg.text(x(t), top.y0 + top.h + 16, formatSeconds(t, tStep), `text-anchor="middle" fill="${COLORS.text}"`);
  for (const v of yTicks) svg.text(L - 6, y(v) + 4, formatByteAxis(v), `text-anchor="end" fill="${COLORS.text}"`);
  svg.text(L + pw / 2, top.y0 + top.h + 34, "virtual time (s)", `text-anchor="middle" fill="${COLORS.text}"`);
  svg.text(18, top.y0 + top.h / 2, "sequence offset (bytes from ISN + 1)", `text-anchor="middle" fill="${COLORS.text}" transform="rotate(-90 18 ${top.y0 + top.h / 2})"`);

  // ── legend ──
  const legend: [string, string][] = [
    [`<line x1="0" y1="-4" x2="14" y2="-4" stroke="${COLORS.data}" stroke-width="2"/>`, "data segment"],
    [`<line x1="0" y1="-4" x2="14" y2="-4" stroke="${COLORS.rtx}" stroke-width="2"/>`, "retransmission"],
    [`<path d="M3,-8L11,0M3,0L11,-8" stroke="${COLORS.lost}" stroke-width="1.5"/>`, "lost on the wire"],
    [`<path d="M3,-8L11,0M3,0L11,-8" stroke="${COLORS.corrupt}" stroke-width="1.5"/>`, "corrupted"],
    [`<line x1="0" y1="-4" x2="14" y2="-4" stroke="${COLORS.ack}" stroke-width="1.5"/>`, "cumulative ACK"],
    [`<path d="M3,-8L11,0M3,0L11,-8" stroke="${COLORS.lostAck}" stroke-width="1.2"/>`, "ACK lost"],
    [`<line x1="0" y1="-4" x2="14" y2="-4" stroke="${COLORS.win}" stroke-width="1.5"/>`, "window limit (ack + win)"],
    [`<rect x="2" y="-9" width="6" height="10" fill="${COLORS.sack}" fill-opacity="0.6"/>`, "SACK block"],
  ];
  let lx = L;
  for (const [sym, label] of legend) {
    svg.add(`<g transform="translate(${f1(lx)},${top.y0 - 14})">${sym}</g>`);
    svg.text(lx + 18, top.y0 - 14, label, `fill="${COLORS.text}"`);
    lx += 30 + label.length * 6.8;
  }

  // ── top panel: window limit, ACK line, SACK bars, segments ──
  svg.add(`<g clip-path="url(#plot)">`);
  svg.add(`<clipPath id="plot"><rect x="${L}" y="${top.y0}" width="${pw}" height="${top.h}"/></clipPath>`);
  if (d.acks.length) {
    svg.add(`<path d="${stepPath(d.acks.map((a) => [x(a.t), y(a.ack + a.win)]), x(tMax))}" fill="none" stroke="${COLORS.win}" stroke-width="1.3"/>`);
    svg.add(`<path d="${stepPath(d.acks.map((a) => [x(a.t), y(a.ack)]), x(tMax))}" fill="none" stroke="${COLORS.ack}" stroke-width="1.5"/>`);
  }
  const sackBars: string[] = [];
  for (const a of d.acks) for (const [l, r] of a.sack) sackBars.push(`<rect x="${f1(x(a.t) + 1)}" y="${f1(y(r))}" width="4" height="${f1(Math.max(1, y(l) - y(r)))}"/>`);
  if (sackBars.length) svg.add(`<g fill="${COLORS.sack}" fill-opacity="0.6">${sackBars.join("")}</g>`);
  const seg = (s: SeqSegment): string => {
    const xs = x(s.t), ya = y(s.seq), yb = y(s.seq + s.len + (s.fin ? 1 : 0));
    const cap = 2.5;
    return `M${f1(xs)},${f1(ya)}V${f1(Math.min(yb, ya - 1))}M${f1(xs - cap)},${f1(ya)}H${f1(xs + cap)}M${f1(xs - cap)},${f1(yb)}H${f1(xs + cap)}`;
  };
  const fresh = d.segments.filter((s) => !s.retransmit).map(seg).join("");
  const rtx = d.segments.filter((s) => s.retransmit).map(seg).join("");
  if (fresh) svg.add(`<path d="${fresh}" fill="none" stroke="${COLORS.data}" stroke-width="1.4"/>`);
  if (rtx) svg.add(`<path d="${rtx}" fill="none" stroke="${COLORS.rtx}" stroke-width="1.6"/>`);
  const cross = (s: SeqSegment): string => {
    const xs = x(s.t), yc = y(s.seq + s.len) - 5;
    return `M${f1(xs - 3.5)},${f1(yc - 3.5)}L${f1(xs + 3.5)},${f1(yc + 3.5)}M${f1(xs - 3.5)},${f1(yc + 3.5)}L${f1(xs + 3.5)},${f1(yc - 3.5)}`;
  };
  const lost = d.segments.filter((s) => s.lost).map(cross).join("");
  const corrupt = d.segments.filter((s) => s.corrupted && !s.lost).map(cross).join("");
  const lostAcks = d.lostAcks.map((a) => {
    const xs = x(a.t), yc = y(a.ack) + 5;
    return `M${f1(xs - 2.5)},${f1(yc - 2.5)}L${f1(xs + 2.5)},${f1(yc + 2.5)}M${f1(xs - 2.5)},${f1(yc + 2.5)}L${f1(xs + 2.5)},${f1(yc - 2.5)}`;
  }).join("");
  if (lostAcks) svg.add(`<path d="${lostAcks}" fill="none" stroke="${COLORS.lostAck}" stroke-width="1.2"/>`);
  if (lost) svg.add(`<path d="${lost}" fill="none" stroke="${COLORS.lost}" stroke-width="1.5"/>`);
  if (corrupt) svg.add(`<path d="${corrupt}" fill="none" stroke="${COLORS.corrupt}" stroke-width="1.5"/>`);
  svg.add(`</g>`);
  const nRtx = d.segments.filter((s) => s.retransmit).length;
  const nLost = d.segments.filter((s) => s.lost).length;
  const nCorrupt = d.segments.filter((s) => s.corrupted && !s.lost).length;
  const nSack = d.acks.reduce((n, a) => n + (a.sack.length ? 1 : 0), 0);
  svg.text(L, 60, `${d.segments.length} segments sent, ${nRtx} retransmitted, ${nLost} lost, ${nCorrupt} corrupted; ${d.acks.length} ACKs received (${nSack} with SACK), ${d.lostAcks.length} lost or corrupted on the way back`, `fill="${COLORS.muted}"`);

  // ── bottom panel: cwnd, ssthresh, bytes in flight ──
  const cc = d.cc;
  const finite = (v: number | undefined): v is number => v !== undefined && v < 0x40000000;
  const ccMaxRaw = Math.max(1, ...cc.map((c) => Math.max(c.flight, finite(c.cwnd) ? c.cwnd : 0)));
  // ssthresh starts "infinite" (or huge): draw it only where it fits twice the largest cwnd/flight
  const ssMax = Math.max(0, ...cc.map((c) => (finite(c.ssthresh) && c.ssthresh <= 2 * ccMaxRaw ? c.ssthresh : 0)));
  const bTicks = byteTicks(Math.max(ccMaxRaw, ssMax) * 1.05, 4);
  const bMax = Math.max(ccMaxRaw, ssMax, bTicks.at(-1)!);
  const yb = (v: number): number => bot.y0 + bot.h - (Math.min(v, bMax) / bMax) * bot.h;
  svg.add(`<g stroke="${COLORS.grid}" stroke-width="1">`);
  for (const t of tTicks) svg.line(x(t), bot.y0, x(t), bot.y0 + bot.h, "");
  for (const v of bTicks) svg.line(L, yb(v), L + pw, yb(v), "");
  svg.add(`</g>`);
  svg.add(`<rect x="${L}" y="${bot.y0}" width="${pw}" height="${bot.h}" fill="none" stroke="${COLORS.axis}"/>`);
  for (const t of tTicks) svg.text(x(t), bot.y0 + bot.h + 16, formatSeconds(t, tStep), `text-anchor="middle" fill="${COLORS.text}"`);
  for (const v of bTicks) svg.text(L - 6, yb(v) + 4, formatByteAxis(v), `text-anchor="end" fill="${COLORS.text}"`);
  svg.text(L + pw / 2, bot.y0 + bot.h + 34, "virtual time (s)", `text-anchor="middle" fill="${COLORS.text}"`);
  svg.text(18, bot.y0 + bot.h / 2, "bytes", `text-anchor="middle" fill="${COLORS.text}" transform="rotate(-90 18 ${bot.y0 + bot.h / 2})"`);
  svg.text(L, bot.y0 - 30, "Sender: congestion window, slow-start threshold and bytes in flight (tcp_info after every simulator event)", `font-weight="bold" fill="${COLORS.text}"`);
  if (cc.length) {
    const flight: [number, number][] = cc.map((c) => [x(c.t), yb(c.flight)]);
    const area = `${stepPath(flight, x(cc.at(-1)!.t))}V${f1(yb(0))}H${f1(flight[0]![0])}Z`;
    svg.add(`<path d="${area}" fill="${COLORS.flight}" fill-opacity="0.35" stroke="${COLORS.flight}" stroke-width="1"/>`);
  }
  const bl: [string, string][] = [[`<rect x="0" y="-9" width="14" height="10" fill="${COLORS.flight}" fill-opacity="0.5"/>`, `bytes in flight (${d.infoWords >= 28 ? "snd_max" : "snd_nxt"} − snd_una)`]];
  if (d.ccAvailable) {
    const cw = cc.filter((c) => finite(c.cwnd)).map((c): [number, number] => [x(c.t), yb(c.cwnd!)]);
    if (cw.length) svg.add(`<path d="${stepPath(cw, x(cc.at(-1)!.t))}" fill="none" stroke="${COLORS.cwnd}" stroke-width="1.6"/>`);
    const ss = cc.filter((c) => finite(c.ssthresh) && c.ssthresh <= 2 * ccMaxRaw).map((c): [number, number] => [x(c.t), yb(c.ssthresh!)]);
    if (ss.length) svg.add(`<path d="${stepPath(ss, x(cc.at(-1)!.t))}" fill="none" stroke="${COLORS.ssthresh}" stroke-width="1.4" stroke-dasharray="6 3"/>`);
    bl.push([`<line x1="0" y1="-4" x2="14" y2="-4" stroke="${COLORS.cwnd}" stroke-width="2"/>`, "cwnd"]);
    bl.push([`<line x1="0" y1="-4" x2="14" y2="-4" stroke="${COLORS.ssthresh}" stroke-width="1.5" stroke-dasharray="6 3"/>`, "ssthresh (not drawn while above 2× the largest cwnd)"]);
  } else {
    svg.add(`<rect x="${L + pw / 2 - 330}" y="${bot.y0 + 14}" width="660" height="22" fill="#fff" fill-opacity="0.85" stroke="${COLORS.rtx}" stroke-width="0.8"/>`);
    svg.text(L + pw / 2, bot.y0 + 29, `cwnd and ssthresh unavailable: this core's tcp_info has ${d.infoWords || "no"} words (they are words 15 and 16 of the 28-word layout)`, `text-anchor="middle" fill="${COLORS.rtx}"`);
  }
  let bx = L + pw;
  for (const [sym, label] of [...bl].reverse()) {
    bx -= 34 + label.length * 7;
    svg.add(`<g transform="translate(${f1(bx)},${bot.y0 - 10})">${sym}</g>`);
    svg.text(bx + 18, bot.y0 - 10, label, `fill="${COLORS.text}"`);
  }
  svg.add(`</svg>`);
  return svg.parts.join("\n") + "\n";
}
