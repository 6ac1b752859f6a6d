// The event ring: how the core tells the host what happened (docs/abi.md, "Events").
// Entries are three u32 (kind, handle, arg). When full, the oldest entry is overwritten and
// counted as lost; the host drains the ring after every call, so that is a host bug made visible.
import { EVENT_RING } from "../config";
import { C, count } from "../counters";
import { Region, regionAlloc } from "./layout";

/** Event kinds (docs/abi.md, "Events"). */
export namespace Ev {
  @inline export const CONNECTED: i32 = 1;
  @inline export const READABLE: i32 = 2;
  @inline export const WRITABLE: i32 = 3;
  @inline export const EOF: i32 = 4;
  @inline export const CLOSED: i32 = 5;
  @inline export const ERROR: i32 = 6;
  @inline export const ACCEPTABLE: i32 = 7;
  @inline export const STATE: i32 = 8;
  @inline export const UDP_READABLE: i32 = 9;   // a UDP socket's queue went from empty to not empty
  @inline export const UDP_ERROR: i32 = 10;     // an ICMP error for a UDP socket (arg: the errno)
  @inline export const ADDRESS: i32 = 11;       // our address changed (handle: prefix length, arg: address; 0 = gone)
  @inline export const GATEWAY: i32 = 12;       // the default gateway changed (arg: address; 0 = none)
  @inline export const DNS: i32 = 13;           // DHCP's DNS servers changed (handle: count, arg: the first; 0 = none)
  @inline export const DHCP_STATE: i32 = 14;    // the DHCP client changed state (handle: DhcpState, arg: the address it holds)
  @inline export const SOFT_ERROR: i32 = 16;  // a soft error at R1 (RFC 1122 4.2.3.5/4.2.3.9): connection kept
}

@inline const ENTRY: usize = 12;
let base: usize = 0;
let head: u32 = 0;  // next entry to pop
let len: u32 = 0;
let lastHandle: i32 = 0;
let lastArg: i32 = 0;

export function eventsInit(): void {
  base = regionAlloc(Region.EVENTS, <usize>EVENT_RING * ENTRY);
  head = 0; len = 0;
}

export function eventPush(kind: i32, handle: i32, arg: i32): void {
  if (len == <u32>EVENT_RING) {
    head = (head + 1) % <u32>EVENT_RING;
    len--;
    count(C.EVENTS_LOST);
  }
  const e = base + <usize>((head + len) % <u32>EVENT_RING) * ENTRY;
  store<i32>(e, kind);
  store<i32>(e, handle, 4);
  store<i32>(e, arg, 8);
  len++;
}

/** Pop the oldest event: returns its kind (0 when empty); eventHandle()/eventArg() give the rest. */
export function eventPop(): i32 {
  if (len == 0) return 0;
  const e = base + <usize>head * ENTRY;
  head = (head + 1) % <u32>EVENT_RING;
  len--;
  lastHandle = load<i32>(e, 4);
  lastArg = load<i32>(e, 8);
  return load<i32>(e);
}
export function eventHandle(): i32 { return lastHandle; }
export function eventArg(): i32 { return lastArg; }
