// Every size and tunable of the core, in one place (lwIP's opt.h is the model).
// A build profile (asconfig.json "targets") overrides a value with `--use PETREL_X=value`;
// anything not overridden takes the default below. Impossible combinations stop the build
// with ERROR() instead of failing at run time.

// ── connection tables ───────────────────────────────────────────────────────────────────────
/** TCP control blocks: every connection, from SYN_RCVD to TIME_WAIT, occupies one. */
// @ts-ignore: decorator
@inline export const MAX_CONNS: i32 = isDefined(PETREL_CONNS) ? PETREL_CONNS : 16;
/** Listening ports. */
// @ts-ignore: decorator
@inline export const MAX_LISTENERS: i32 = isDefined(PETREL_LISTENERS) ? PETREL_LISTENERS : 4;
/** Largest backlog a listener may ask for (half-open + not yet accepted). */
// @ts-ignore: decorator
@inline export const MAX_BACKLOG: i32 = isDefined(PETREL_MAX_BACKLOG) ? PETREL_MAX_BACKLOG : 16;

// ── buffers (per connection) ────────────────────────────────────────────────────────────────
/** Receive ring per connection; the advertised window never exceeds it (or 65535). */
// @ts-ignore: decorator
@inline export const RX_BUF: i32 = isDefined(PETREL_RX_BUF) ? PETREL_RX_BUF : 8192;
/** Send ring per connection: unacknowledged plus not yet sent bytes. */
// @ts-ignore: decorator
@inline export const TX_BUF: i32 = isDefined(PETREL_TX_BUF) ? PETREL_TX_BUF : 8192;

// ── link and IP ──────────────────────────────────────────────────────────────────────────────
/** IP MTU of the link (Ethernet: 1500). */
// @ts-ignore: decorator
@inline export const MTU: i32 = isDefined(PETREL_MTU) ? PETREL_MTU : 1500;
/** Largest Ethernet II frame we send or accept (no FCS, no VLAN tag). */
@inline export const FRAME_MAX: i32 = MTU + 14;
/** ARP cache entries. */
// @ts-ignore: decorator
@inline export const ARP_ENTRIES: i32 = isDefined(PETREL_ARP_ENTRIES) ? PETREL_ARP_ENTRIES : 8;
/** Frames held while their next hop is being resolved; the oldest is dropped when full. */
// @ts-ignore: decorator
@inline export const ARP_PENDING: i32 = isDefined(PETREL_ARP_PENDING) ? PETREL_ARP_PENDING : 4;
/** Lifetime of a resolved ARP entry (ms). */
// @ts-ignore: decorator
@inline export const ARP_TTL_MS: u32 = isDefined(PETREL_ARP_TTL_MS) ? PETREL_ARP_TTL_MS : 300_000;
/** Interval between ARP requests for an unresolved entry (ms), and how many before giving up. */
@inline export const ARP_RETRY_MS: u32 = 1000;
@inline export const ARP_RETRIES: i32 = 3;
/** TTL of the IPv4 packets we send. */
@inline export const IP_TTL: u8 = 64;

// ── TCP ──────────────────────────────────────────────────────────────────────────────────────
/** MSS we announce: MTU minus 20 bytes of IPv4 and 20 of TCP header. */
@inline export const MSS_LOCAL: i32 = MTU - 40;
/** RFC 9293 3.7.1: the MSS to assume when the peer sends no MSS option (MUST-15). */
@inline export const MSS_DEFAULT: i32 = 536;
/** Maximum segment lifetime (ms); TIME_WAIT lasts 2*MSL (RFC 9293 3.4.2: 2 minutes; we default to 60 s ×2). */
// @ts-ignore: decorator
@inline export const MSL_MS: u32 = isDefined(PETREL_MSL_MS) ? PETREL_MSL_MS : 60_000;
/** Initial retransmission timeout (RFC 6298 2.1: 1 s). */
// @ts-ignore: decorator
@inline export const RTO_INITIAL_MS: u32 = isDefined(PETREL_RTO_INITIAL_MS) ? PETREL_RTO_INITIAL_MS : 1000;
/** Upper bound of the backed-off RTO (RFC 6298 2.5 allows ≥ 60 s). */
// @ts-ignore: decorator
@inline export const RTO_MAX_MS: u32 = isDefined(PETREL_RTO_MAX_MS) ? PETREL_RTO_MAX_MS : 60_000;
/** Lower bound of the RTO. RFC 6298 2.4 says 1 s (SHOULD); like Linux we use 200 ms, because a
 *  1 s floor on a LAN or a simulated link turns every loss without fast retransmit into a stall. */
// @ts-ignore: decorator
@inline export const RTO_MIN_MS: u32 = isDefined(PETREL_RTO_MIN_MS) ? PETREL_RTO_MIN_MS : 200;
/** At most one ACK per this many ms, per connection, answers bad segments: unacceptable ones
 *  (Linux's tcp_invalid_ratelimit) and the RFC 5961 challenge ACKs (in-window RST, SYN, ACK out of
 *  range) share this limit — the configurable rate limit RFC 5961 7 asks for. */
// @ts-ignore: decorator
@inline export const OOW_ACK_MS: u32 = isDefined(PETREL_CHALLENGE_ACK_MS) ? PETREL_CHALLENGE_ACK_MS : 500;
/** Out-of-order ranges the receiver keeps per connection (data past holes, held in the rx ring;
 *  reported to the peer as SACK blocks). A segment that would need one more range is dropped. */
// @ts-ignore: decorator
@inline export const OOO_RANGES: i32 = isDefined(PETREL_OOO_RANGES) ? PETREL_OOO_RANGES : 4;
/** SACKed ranges the sender remembers per connection (the RFC 6675 scoreboard). When it is full the
 *  highest range is forgotten: that costs at most a needless retransmission, never correctness. */
// @ts-ignore: decorator
@inline export const SACK_RANGES: i32 = isDefined(PETREL_SACK_RANGES) ? PETREL_SACK_RANGES : 4;
/** Delayed ACK (RFC 9293 3.8.6.3, RFC 5681 4.2): an ACK waits at most this long (MUST-40: < 0.5 s),
 *  and goes at once for every second full-sized segment, out-of-order data, a filled hole or a FIN.
 *  40 ms is Linux's minimum; 0 turns delaying off. */
// @ts-ignore: decorator
@inline export const DELACK_MS: u32 = isDefined(PETREL_DELACK_MS) ? PETREL_DELACK_MS : 40;
/** RFC 7323 5.5: a TS.Recent older than 24 days is invalid for PAWS. */
@inline export const PAWS_IDLE_MS: u32 = 24 * 24 * 3600 * 1000;
/** SYN retransmissions before an active open fails with ETIMEDOUT: 8, at 1, 3, 7, 15, 31, 63, 123
 *  and 183 s (the RTO doubles up to RTO_MAX), so the open gives up after 243 s — RFC 9293 3.8.3
 *  (MUST-23) asks for at least 3 minutes. */
// @ts-ignore: decorator
@inline export const SYN_RETRIES: i32 = isDefined(PETREL_SYN_RETRIES) ? PETREL_SYN_RETRIES : 8;
/** R1 (RFC 9293 3.8.3): after this many retransmissions of the same segment TCP gives IP negative
 *  advice (an ARP request checks the next hop's entry). SHLD-10: at least 3. */
@inline export const R1_RETRIES: i32 = 3;
/** SYN-ACK retransmissions for a passive open before the half-open connection is dropped (Linux's
 *  tcp_synack_retries: 5, at 1, 3, 7, 15 and 31 s), and fewer while half the table is half-open
 *  (a SYN flood, RFC 4987 3.2/3.3: a shorter SYN-RECEIVED timer frees slots sooner). */
@inline export const SYNACK_RETRIES: i32 = 5;
@inline export const SYNACK_RETRIES_PRESSURE: i32 = 2;
/** The longest a passive connection stays half-open (SYN-RECEIVED), whatever arrives meanwhile:
 *  an absolute deadline from the SYN, so that no answer short of completing the handshake keeps the
 *  slot (RFC 4987 3.2). 63 s = the last SYN-ACK retransmission's timeout. */
// @ts-ignore: decorator
@inline export const SYN_RECEIVED_MS: u32 = isDefined(PETREL_SYN_RECEIVED_MS) ? PETREL_SYN_RECEIVED_MS : 63_000;
/** Data/FIN retransmissions before the connection is aborted with ETIMEDOUT (RFC 9293 R2, MUST-20). */
@inline export const DATA_RETRIES: i32 = 12;
/** How long an orphaned FIN_WAIT_2 connection (closed by the app) waits for the peer's FIN (ms). */
// @ts-ignore: decorator
@inline export const FIN_WAIT2_MS: u32 = isDefined(PETREL_FIN_WAIT2_MS) ? PETREL_FIN_WAIT2_MS : 60_000;
/** Keepalive (RFC 1122 4.2.3.6): off unless the app sets an idle time; then probes every
 *  KEEPALIVE_INTVL_MS, and KEEPALIVE_COUNT unanswered probes end the connection (Linux's defaults). */
@inline export const KEEPALIVE_INTVL_MS: u32 = 75_000;
@inline export const KEEPALIVE_COUNT: u32 = 9;
/** Largest idle time, probe interval and probe count tcp_set_option accepts (Linux's limits: 32767 s
 *  and 127), so that every deadline stays well inside the ±24.8-day range of time.ts. */
@inline export const KEEPALIVE_MAX_MS: u32 = 32_767_000;
@inline export const KEEPALIVE_MAX_COUNT: u32 = 127;
/** Largest user timeout tcp_set_option accepts (ms): 24 days, inside time.ts's range. */
@inline export const USER_TIMEOUT_MAX_MS: u32 = 24 * 86_400_000;
/** First ephemeral port (IANA dynamic range 49152–65535). */
@inline export const EPHEMERAL_FIRST: u16 = 49152;

// ── UDP ──────────────────────────────────────────────────────────────────────────────────────
/** UDP sockets (the app's and the core's own clients: DHCP, DNS). */
// @ts-ignore: decorator
@inline export const UDP_SOCKETS: i32 = isDefined(PETREL_UDP_SOCKETS) ? PETREL_UDP_SOCKETS : 4;
/** Bytes of received datagrams a UDP socket holds until read (each costs 8 bytes more); a datagram
 *  that does not fit is dropped and counted (DROP_UDP_QUEUE_FULL). */
// @ts-ignore: decorator
@inline export const UDP_QUEUE: i32 = isDefined(PETREL_UDP_QUEUE) ? PETREL_UDP_QUEUE : 4096;
/** At most one ICMP port unreachable per this many ms (RFC 1122 3.2.2: rate-limited errors). */
// @ts-ignore: decorator
@inline export const UDP_UNREACH_MS: u32 = isDefined(PETREL_UDP_UNREACH_MS) ? PETREL_UDP_UNREACH_MS : 100;

// ── DHCP client ──────────────────────────────────────────────────────────────────────────────
/** The DHCP client is built in (a profile may leave it out: PETREL_DHCP=0; dhcp_* then answer
 *  EOPNOTSUPP and the code is not in the module). */
// @ts-ignore: decorator
@inline export const DHCP: bool = isDefined(PETREL_DHCP) ? PETREL_DHCP != 0 : true;
/** The longest random wait before the first DISCOVER after dhcp_start, ms (the default for
 *  dhcp_init_delay): RFC 2131 4.4.1 asks 1–10 s so that clients powered up together do not all ask
 *  at once; the wait is uniform in [max/10, max], 1–10 s by default. 0: the DISCOVER goes at once. */
// @ts-ignore: decorator
@inline export const DHCP_INIT_DELAY_MS: u32 = isDefined(PETREL_DHCP_INIT_DELAY_MS) ? PETREL_DHCP_INIT_DELAY_MS : 10_000;

// ── DNS stub resolver (assembly/dns/) ──────────────────────────────────────────────────────────
/** Queries in flight or holding a result until the host closes them; 0 leaves the resolver out. */
// @ts-ignore: decorator
@inline export const DNS_QUERIES: i32 = isDefined(PETREL_DNS_QUERIES) ? PETREL_DNS_QUERIES : 4;
/** Answers remembered (name → addresses until their TTL ends); 0 = no cache. */
// @ts-ignore: decorator
@inline export const DNS_CACHE: i32 = isDefined(PETREL_DNS_CACHE) ? PETREL_DNS_CACHE : 4;
/** Addresses kept per answer (more in a reply are ignored). */
// @ts-ignore: decorator
@inline export const DNS_ADDRS: i32 = isDefined(PETREL_DNS_ADDRS) ? PETREL_DNS_ADDRS : 4;
/** DNS servers (from DHCP option 6 or dns_server). */
@inline export const DNS_SERVERS: i32 = 3;
/** First wait for a reply (ms); each round over all servers doubles it. */
// @ts-ignore: decorator
@inline export const DNS_TIMEOUT_MS: u32 = isDefined(PETREL_DNS_TIMEOUT_MS) ? PETREL_DNS_TIMEOUT_MS : 1000;
/** Rounds over the servers before a query fails with ETIMEDOUT. */
@inline export const DNS_ROUNDS: i32 = 2;
/** Longest time an answer is cached (s), whatever its TTL says. */
@inline export const DNS_TTL_MAX_S: u32 = 3600;
/** CNAME records followed for one query (RFC 1034 3.6.2 asks for a bound). */
@inline export const DNS_CNAME_MAX: i32 = 8;
/** Longest answer taken over TCP after a truncated UDP reply (RFC 1035 4.2.2, RFC 7766): the
 *  resolver's message buffer; also bounded by the connection's receive ring (RX_BUF − 2). */
// @ts-ignore: decorator
@inline export const DNS_TCP_MAX: i32 = isDefined(PETREL_DNS_TCP_MAX) ? PETREL_DNS_TCP_MAX : 1024;
/** How long a question asked again over TCP may take, connection included (ms). */
@inline export const DNS_TCP_TIMEOUT_MS: u32 = 4 * DNS_TIMEOUT_MS;

// ── host interface ───────────────────────────────────────────────────────────────────────────
/** Event ring entries (connected, readable, writable, closed, state changes…). */
// @ts-ignore: decorator
@inline export const EVENT_RING: i32 = isDefined(PETREL_EVENTS) ? PETREL_EVENTS : 256;
/** Scratch buffer the host copies send data into and receives data from. */
// @ts-ignore: decorator
@inline export const IO_BUF: i32 = isDefined(PETREL_IO_BUF) ? PETREL_IO_BUF : 16384;

// ── ids of config(id) (docs/abi.md): the host reads the build's sizes by these ───────────────
export namespace Cfg {
  @inline export const MAX_CONNS: i32 = 0;
  @inline export const MAX_LISTENERS: i32 = 1;
  @inline export const RX_BUF: i32 = 2;
  @inline export const TX_BUF: i32 = 3;
  @inline export const MTU: i32 = 4;
  @inline export const MSL_MS: i32 = 5;
  @inline export const ARP_ENTRIES: i32 = 6;
  @inline export const ARP_PENDING: i32 = 7;
  @inline export const EVENT_RING: i32 = 8;
  @inline export const IO_BUF: i32 = 9;
  @inline export const MAX_BACKLOG: i32 = 10;
  @inline export const OOO_RANGES: i32 = 11;
  @inline export const SACK_RANGES: i32 = 12;
  @inline export const DELACK_MS: i32 = 13;
  @inline export const RTO_MIN_MS: i32 = 14;
  @inline export const RTO_INITIAL_MS: i32 = 15;
  @inline export const RTO_MAX_MS: i32 = 16;
  @inline export const UDP_SOCKETS: i32 = 17;
  @inline export const UDP_QUEUE: i32 = 18;
  @inline export const DNS_QUERIES: i32 = 19;
  @inline export const DNS_CACHE: i32 = 20;
  @inline export const DHCP_INIT_DELAY_MS: i32 = 21;
  @inline export const COUNT: i32 = 22;
}

// ── compile-time checks ─────────────────────────────────────────────────────────────────────
// @ts-ignore: decorator
if (MAX_CONNS < 1 || MAX_CONNS > 255) ERROR("PETREL_CONNS must be 1..255 (handles carry an 8-bit index)");
// @ts-ignore: decorator
if (MAX_LISTENERS < 1 || MAX_LISTENERS > 255) ERROR("PETREL_LISTENERS must be 1..255");
// @ts-ignore: decorator
if (RX_BUF < 256 || (RX_BUF & (RX_BUF - 1)) != 0) ERROR("PETREL_RX_BUF must be a power of two ≥ 256");
// @ts-ignore: decorator
if (TX_BUF < 256 || (TX_BUF & (TX_BUF - 1)) != 0) ERROR("PETREL_TX_BUF must be a power of two ≥ 256");
// @ts-ignore: decorator
if (MTU < 576 || MTU > 9000) ERROR("PETREL_MTU must be 576..9000");
// @ts-ignore: decorator
if (ARP_ENTRIES < 1 || ARP_PENDING < 1) ERROR("ARP table and pending queue need at least one entry");
// @ts-ignore: decorator
if (OOO_RANGES < 1 || OOO_RANGES > 64 || SACK_RANGES < 1 || SACK_RANGES > 64) ERROR("PETREL_OOO_RANGES and PETREL_SACK_RANGES must be 1..64");
// @ts-ignore: decorator
if (DELACK_MS >= 500) ERROR("PETREL_DELACK_MS must be below 500 ms (RFC 9293 MUST-40)");
// @ts-ignore: decorator
if (UDP_SOCKETS < 1 || UDP_SOCKETS > 255) ERROR("PETREL_UDP_SOCKETS must be 1..255 (handles carry an 8-bit index)");
// @ts-ignore: decorator
if (UDP_QUEUE < 64 || UDP_QUEUE > 65536 || (UDP_QUEUE & 3) != 0) ERROR("PETREL_UDP_QUEUE must be a multiple of 4 in 64..65536");
// @ts-ignore: decorator
if (DNS_TCP_MAX < 512 || DNS_TCP_MAX > 65535) ERROR("PETREL_DNS_TCP_MAX must be 512..65535");
// @ts-ignore: decorator
if (DNS_QUERIES < 0 || DNS_QUERIES > 255 || DNS_CACHE < 0 || DNS_ADDRS < 1 || DNS_ADDRS > 32) ERROR("PETREL_DNS_QUERIES must be 0..255, PETREL_DNS_CACHE ≥ 0, PETREL_DNS_ADDRS 1..32");
// @ts-ignore: decorator
if (DHCP_INIT_DELAY_MS > 60_000) ERROR("PETREL_DHCP_INIT_DELAY_MS must be ≤ 60000");
// @ts-ignore: decorator
if (IO_BUF < 64 || EVENT_RING < 8) ERROR("PETREL_IO_BUF must be ≥ 64 and PETREL_EVENTS ≥ 8");
