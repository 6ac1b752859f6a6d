// tcpdump-style one-line descriptions of frames (like `tcpdump -n -S`, absolute sequence numbers).
import { ACK, ETHERTYPE_ARP, ETHERTYPE_IPV4, FIN, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, RST, SYN, URG, parseFrame, type ParsedFrame, type TcpOption } from "./packet.ts";

/** Virtual milliseconds → "0.001000" (seconds with microseconds). */
export function formatTime(ms: number): string {
  const us = Math.round(ms * 1000);
  const sec = Math.floor(us / 1_000_000);
  return `${sec}.${String(us - sec * 1_000_000).padStart(6, "0")}`;
}

export function formatOptions(opts: TcpOption[]): string {
  const parts: string[] = [];
  for (const o of opts) {
    switch (o.kind) {
      case "mss": parts.push(`mss ${o.value}`); break;
      case "wscale": parts.push(`wscale ${o.value}`); break;
      case "sackOK": parts.push("sackOK"); break;
      case "sack": parts.push(`sack ${o.blocks.length} ${o.blocks.map(([l, r]) => `{${l}:${r}}`).join("")}`); break;
      case "ts": parts.push(`TS val ${o.val} ecr ${o.ecr}`); break;
      case "nop": parts.push("nop"); break;
      case "eol": parts.push("eol"); break;
      case "unknown": parts.push(`unknown-${o.type}`); break;
    }
  }
  return parts.join(",");
}

const hex4 = (v: number): string => "0x" + v.toString(16).padStart(4, "0");

/** One line for a frame, without the timestamp. */
export function describeFrame(frame: Uint8Array | ParsedFrame): string {
  const p = frame instanceof Uint8Array ? parseFrame(frame) : frame;
  if (!p.eth) return `[${p.error ?? "bad frame"}]`;
  if (p.eth.type === ETHERTYPE_ARP) {
    const a = p.arp;
    if (!a) return `ARP, [${p.error}]`;
    if (a.op === 1) return `ARP, Request who-has ${a.targetIp} tell ${a.senderIp}, length 28`;
    if (a.op === 2) return `ARP, Reply ${a.senderIp} is-at ${a.senderMac}, length 28`;
    return `ARP, op ${a.op}, length 28`;
  }
  if (p.eth.type !== ETHERTYPE_IPV4) return `${p.eth.src} > ${p.eth.dst}, ethertype 0x${p.eth.type.toString(16).padStart(4, "0")}, length ${p.length}`;
  const ip = p.ip;
  if (!ip) return `IP [${p.error}]`;
  const ipBad = ip.checksumOk ? "" : ` [bad ip cksum ${hex4(ip.checksum)}]`;
  if (ip.proto === IPPROTO_TCP && p.tcp) {
    const t = p.tcp;
    const len = t.payload.length;
    let s = `${ip.src}.${t.sport} > ${ip.dst}.${t.dport}: Flags [${t.flagStr}]`;
    // like tcpdump: "seq a:b" when there is data, "seq a" for SYN/FIN/RST, nothing for a bare ACK
    if (len > 0) s += `, seq ${t.seq}:${(t.seq + len) >>> 0}`;
    else if (t.flags & (SYN | FIN | RST)) s += `, seq ${t.seq}`;
    if (t.flags & ACK) s += `, ack ${t.ack}`;
    s += `, win ${t.win}`;
    if (t.flags & URG) s += `, urg ${t.urp}`;
    if (t.options === null) s += ", options [bad opts]";
    else {
      const shown = t.options.filter((o) => o.kind !== "eol");
      if (shown.length) s += `, options [${formatOptions(shown)}]`;
    }
    if (!t.checksumOk) s += `, cksum ${hex4(t.checksum)} (incorrect -> ${hex4(t.expectedChecksum)})`;
    s += `, length ${len}`;
    return s + ipBad;
  }
  if (ip.proto === IPPROTO_UDP && p.udp) {
    const u = p.udp;
    return `${ip.src}.${u.sport} > ${ip.dst}.${u.dport}: UDP, length ${u.payload.length}${u.checksumOk ? "" : ` [bad udp cksum ${hex4(u.checksum)}]`}${ipBad}`;
  }
  if (ip.proto === IPPROTO_ICMP && p.icmp) {
    const c = p.icmp;
    const plen = ip.totalLength - ip.ihl;
    let what: string;
    if (c.type === 8) what = `ICMP echo request, id ${c.id}, seq ${c.seq}`;
    else if (c.type === 0) what = `ICMP echo reply, id ${c.id}, seq ${c.seq}`;
    else if (c.type === 3) what = `ICMP unreachable, code ${c.code}`;
    else what = `ICMP type ${c.type}, code ${c.code}`;
    return `${ip.src} > ${ip.dst}: ${what}, length ${plen}${c.checksumOk ? "" : " [bad icmp cksum]"}${ipBad}`;
  }
  return `${ip.src} > ${ip.dst}: ${p.error ? `[${p.error}]` : `ip-proto-${ip.proto}`}, length ${ip.totalLength - ip.ihl}${ipBad}`;
}

/** "0.001000 198.18.0.2.49152 > 198.18.0.1.7: Flags [S], …" */
export function formatFrame(timeMs: number, frame: Uint8Array | ParsedFrame): string {
  return `${formatTime(timeMs)} ${describeFrame(frame)}`;
}
