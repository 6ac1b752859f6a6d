// The ABI's DNS calls (docs/abi.md, "DNS"): pointer/length checks in front of dns/resolver.ts.
// A name and a result record must lie in the IO buffer, as for tcp_send/tcp_recv. A build without
// the resolver (PETREL_DNS_QUERIES=0) answers EOPNOTSUPP.
import { DNS_QUERIES } from "../config";
import { Err } from "../errors";
import { ioRange } from "./io";
import { dnsQuery, dnsResult, dnsClose, dnsSetServer, dnsServer } from "../dns/resolver";

export function setServer(i: i32, ip: u32): i32 { return DNS_QUERIES == 0 ? Err.EOPNOTSUPP : dnsSetServer(i, ip); }
export function server(i: i32): u32 { return DNS_QUERIES == 0 ? 0 : dnsServer(i); }

export function query(ptr: i32, len: i32, now: u32): i32 {
  if (DNS_QUERIES == 0) return Err.EOPNOTSUPP;
  if (len <= 0 || len > 254 || !ioRange(ptr, len)) return Err.EINVAL;
  return dnsQuery(<usize><u32>ptr, len, now);
}

export function result(h: i32, ptr: i32, cap: i32): i32 {
  if (DNS_QUERIES == 0) return Err.EOPNOTSUPP;
  if (cap < 8 || !ioRange(ptr, cap)) return Err.EINVAL;
  return dnsResult(h, <usize><u32>ptr, cap);
}

export function close(h: i32): i32 { return DNS_QUERIES == 0 ? Err.EOPNOTSUPP : dnsClose(h); }
