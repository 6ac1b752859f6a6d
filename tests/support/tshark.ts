// tshark (Debian's package) as the judge of Petrel's captures: every frame well-formed, IP and TCP
// checksums correct, no error-level expert note. Shared by tests/pcap and tests/interop.
import { execFileSync } from "node:child_process";

export const TSHARK_PROBLEMS = "_ws.malformed || tcp.checksum.status == 0 || ip.checksum.status == 0 || _ws.expert.severity >= 0x00800000";

/** Frame count, and the frames tshark flags (number + Info column) as malformed, with a bad checksum, or with an error-level expert note. */
// Payloads are decoded as plain data: Petrel writes Ethernet, ARP, IPv4, ICMP and TCP, and random
// test payloads would otherwise trip heuristic application dissectors (e.g. Thrift "varint too large").
//
// `kernelFfffFrom`: the Linux kernel's frames (that source address) may carry TCP checksum 0xFFFF
// where 0x0000 is expected: its TAP path finishes a partial (incremental) checksum, which can give
// the other ones'-complement zero (RFC 1624 eqn. 3); the receiver's verification passes and tshark
// notes it as "0xffff instead of 0x0000". About one frame in 65 536 does it, so it is tolerated for
// that source only; Petrel's own frames are held to the strict check.
export function tsharkProblems(pcap: string, o: { kernelFfffFrom?: string } = {}): { frames: number; flagged: string[] } {
  const args = ["-r", pcap, "-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE", "-d", "tcp.port==1-65535,data"];
  const opts = { encoding: "utf8" as const, stdio: ["ignore", "pipe", "ignore"] as ("ignore" | "pipe")[], maxBuffer: 256 << 20, timeout: 300_000 };
  const all = execFileSync("tshark", [...args, "-T", "fields", "-e", "frame.number"], opts);
  const filter = o.kernelFfffFrom ? `(${TSHARK_PROBLEMS}) && !(tcp.checksum.ffff && ip.src == ${o.kernelFfffFrom})` : TSHARK_PROBLEMS;
  const bad = execFileSync("tshark", [...args, "-Y", filter, "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info"], opts);
  return { frames: all.trim().split("\n").filter(Boolean).length, flagged: bad.trim().split("\n").filter(Boolean) };
}
