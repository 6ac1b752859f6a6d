// The memory map. Every fixed region of the core is carved once, inside init(), from the end of
// static data (__heap_base) upward by this bump allocator; nothing is allocated afterwards and
// linear memory never grows. The host reads the map back (mem_region_*) and the build prints it
// and fails when the regions do not fit the profile's pages.

export namespace Region {
  @inline export const STATIC: i32 = 0;     // the module's own data and stack (0 .. __heap_base)
  @inline export const COUNTERS: i32 = 1;
  @inline export const EVENTS: i32 = 2;
  @inline export const IO: i32 = 3;         // host scratch buffer for send/recv
  @inline export const RX_FRAME: i32 = 4;   // frame buffer the host writes received frames into
  @inline export const TX_FRAME: i32 = 5;   // frame buffer outgoing frames are built in
  @inline export const ARP: i32 = 6;        // ARP cache
  @inline export const ARP_PENDING: i32 = 7; // frames waiting for resolution
  @inline export const LISTENERS: i32 = 8;
  @inline export const TCBS: i32 = 9;       // TCP control blocks
  @inline export const RX_RINGS: i32 = 10;
  @inline export const TX_RINGS: i32 = 11;
  @inline export const RANGES: i32 = 12;    // per connection: out-of-order ranges and the SACK scoreboard
  @inline export const UDP_SOCKETS: i32 = 13; // UDP socket table
  @inline export const UDP_QUEUES: i32 = 14;  // per UDP socket: its received datagrams
  @inline export const DNS: i32 = 15;         // DNS queries, servers and message buffer
  @inline export const DNS_CACHE: i32 = 16;   // DNS answers kept for their TTL
  @inline export const DHCP: i32 = 17;        // the DHCP client's message buffer
  @inline export const COUNT: i32 = 18;
}

const REGION_START = memory.data(Region.COUNT * 4);
const REGION_SIZE = memory.data(Region.COUNT * 4);
let bump: usize = 0;
let overflow = false;

/** Start the map: everything below __heap_base is the module's static data. */
export function layoutReset(): void {
  bump = (__heap_base + 15) & ~15;
  overflow = false;
  store<u32>(REGION_START, 0);
  store<u32>(REGION_SIZE, <u32>bump);
}

/** Reserve `size` bytes (16-byte aligned, zeroed) for region `id` and return its address. */
export function regionAlloc(id: i32, size: usize): usize {
  const start = bump;
  const end = (start + size + 15) & ~15;
  store<u32>(REGION_START + (<usize>id << 2), <u32>start);
  store<u32>(REGION_SIZE + (<usize>id << 2), <u32>size);
  bump = end;
  if (end > (<usize>memory.size() << 16)) {
    overflow = true;
    return start; // never written: init() checks layoutFits() before touching any region
  }
  memory.fill(start, 0, size);
  return start;
}

export function layoutFits(): bool { return !overflow; }
export function layoutEnd(): usize { return bump; }
export function regionStart(id: i32): u32 {
  return <u32>id < <u32>Region.COUNT ? load<u32>(REGION_START + (<usize>id << 2)) : 0;
}
export function regionSize(id: i32): u32 {
  return <u32>id < <u32>Region.COUNT ? load<u32>(REGION_SIZE + (<usize>id << 2)) : 0;
}
