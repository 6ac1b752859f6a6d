// The DNS answer cache: DNS_CACHE entries (name → up to DNS_ADDRS addresses) kept until their TTL
// ends (RFC 1035 3.2.1, capped at DNS_TTL_MAX_S; a TTL of 0 is not cached, RFC 1035 4.1.3). When
// full, the entry that expires first is replaced.
//
// One entry:
//   0         4       5          8                     8+256
//   | expires | count | (pad)    | name (wire form)    | addresses (u32, host order) …
import { DNS_CACHE, DNS_ADDRS, DNS_TTL_MAX_S } from "../config";
import { dnsNameEq, dnsNameLen } from "../wire/dns";
import { timeLt } from "../time";

@inline const E_EXPIRES: usize = 0;
@inline const E_COUNT: usize = 4;
@inline const E_NAME: usize = 8;
@inline const E_ADDRS: usize = 8 + 256;
@inline export const CACHE_ENTRY: usize = E_ADDRS + <usize>DNS_ADDRS * 4;

let base: usize = 0;

export function cacheInit(region: usize): void { base = region; }

// @ts-ignore: decorator
@inline function entryAt(i: i32): usize { return base + <usize>i * CACHE_ENTRY; }
function live(e: usize, now: u32): bool { return load<u8>(e, E_COUNT) != 0 && timeLt(now, load<u32>(e, E_EXPIRES)); }

/** Copy the live answer for qname into addrs; its count (0: none) and, at ttlOut, the seconds left. */
export function cacheGet(qname: usize, addrs: usize, ttlOut: usize, now: u32): i32 {
  for (let i = 0; i < DNS_CACHE; i++) {
    const e = entryAt(i);
    if (!live(e, now) || !dnsNameEq(e + E_NAME, qname)) continue;
    const n = <i32>load<u8>(e, E_COUNT);
    memory.copy(addrs, e + E_ADDRS, <usize>n << 2);
    store<u32>(ttlOut, (load<u32>(e, E_EXPIRES) - now) / 1000);
    return n;
  }
  return 0;
}

/** Remember n addresses for qname for ttl seconds (capped). */
export function cachePut(qname: usize, addrs: usize, n: i32, ttl: u32, now: u32): void {
  if (DNS_CACHE == 0 || ttl == 0 || n <= 0) return;
  if (ttl > DNS_TTL_MAX_S) ttl = DNS_TTL_MAX_S;
  let victim = entryAt(0);
  for (let i = 0; i < DNS_CACHE; i++) {
    const e = entryAt(i);
    if (!live(e, now) || dnsNameEq(e + E_NAME, qname)) { victim = e; break; }
    if (timeLt(load<u32>(e, E_EXPIRES), load<u32>(victim, E_EXPIRES))) victim = e;
  }
  store<u32>(victim, now + ttl * 1000, E_EXPIRES);
  store<u8>(victim, <u8>n, E_COUNT);
  memory.copy(victim + E_NAME, qname, <usize>dnsNameLen(qname));
  memory.copy(victim + E_ADDRS, addrs, <usize>n << 2);
}
