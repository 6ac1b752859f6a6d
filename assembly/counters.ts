// Counters: one u32 per reason a frame was handled or dropped. Every drop increments exactly one
// counter, so "where did my packet go" has an answer. The host reads them by index with
// `counter(id)`; the names come from this file (scripts/build.mjs extracts them into build/abi.json).
import { Region, regionAlloc } from "./storage/layout";

export namespace C {
  // link
  @inline export const RX_FRAMES: i32 = 0;          // frames given to rx()
  @inline export const TX_FRAMES: i32 = 1;          // frames handed to the tx import
  @inline export const DROP_ETH_SHORT: i32 = 2;     // shorter than an Ethernet header
  @inline export const DROP_ETH_TOO_LONG: i32 = 3;  // longer than the rx buffer (never copied)
  @inline export const DROP_ETH_NOT_US: i32 = 4;    // destination MAC neither ours nor broadcast
  @inline export const DROP_ETHERTYPE: i32 = 5;     // neither IPv4 nor ARP
  // ARP
  @inline export const ARP_RX: i32 = 6;
  @inline export const ARP_TX: i32 = 7;
  @inline export const DROP_ARP_MALFORMED: i32 = 8;
  @inline export const ARP_PENDING_DROPPED: i32 = 9; // a frame waiting for resolution dropped: the oldest when the queue is full, or one whose source address went meanwhile
  @inline export const ARP_FAILED: i32 = 10;         // resolution gave up, waiting frames dropped
  // IPv4
  @inline export const DROP_IP_MALFORMED: i32 = 11;  // version, IHL, total length
  @inline export const DROP_IP_CHECKSUM: i32 = 12;
  @inline export const DROP_IP_FRAGMENT: i32 = 13;   // fragments are not reassembled (yet)
  @inline export const DROP_IP_NOT_US: i32 = 14;     // destination address not ours
  @inline export const DROP_IP_PROTO: i32 = 15;      // protocol other than ICMP/TCP
  @inline export const TX_NO_ROUTE: i32 = 16;        // off-link destination and no gateway
  // ICMP
  @inline export const ICMP_RX: i32 = 17;
  @inline export const ICMP_ECHO_REPLIED: i32 = 18;
  @inline export const DROP_ICMP_MALFORMED: i32 = 19; // short or bad checksum
  @inline export const ICMP_UNREACH_RX: i32 = 20;
  // TCP input
  @inline export const TCP_RX: i32 = 21;             // segments that passed the header checks
  @inline export const DROP_TCP_MALFORMED: i32 = 22; // short, bad data offset, bad option length
  @inline export const DROP_TCP_CHECKSUM: i32 = 23;
  @inline export const TCP_NO_LISTENER: i32 = 24;    // segment for a closed port / unknown connection
  @inline export const DROP_TCP_BACKLOG: i32 = 25;   // SYN dropped: listener backlog full
  @inline export const DROP_TCP_TABLE_FULL: i32 = 26; // SYN dropped: connection table full
  @inline export const DROP_TCP_OUT_OF_WINDOW: i32 = 27; // unacceptable segment (acked if not RST)
  @inline export const DROP_TCP_BAD_ACK: i32 = 28;   // ACK of something not yet sent
  @inline export const DROP_TCP_RST_IGNORED: i32 = 29; // RST outside the window
  @inline export const TCP_RST_RX: i32 = 30;         // acceptable RST received (exactly at RCV.NXT, RFC 5961 3.2)
  @inline export const DROP_TCP_RX_FULL: i32 = 31;   // data beyond the receive window trimmed
  // TCP output and connections
  @inline export const TCP_TX: i32 = 32;
  @inline export const TCP_RST_TX: i32 = 33;
  @inline export const TCP_RETRANSMITS: i32 = 34;
  @inline export const TCP_ACTIVE_OPENS: i32 = 35;
  @inline export const TCP_PASSIVE_OPENS: i32 = 36;
  @inline export const TCP_ESTABLISHED: i32 = 37;    // reached ESTABLISHED
  @inline export const TCP_TIMEOUTS: i32 = 38;       // connections aborted with ETIMEDOUT
  @inline export const TCP_RESETS: i32 = 39;         // connections closed by an RST
  @inline export const TCP_TIME_WAIT_REUSE: i32 = 40; // connect refused: 4-tuple in TIME_WAIT
  @inline export const EVENTS_LOST: i32 = 41;        // event ring full: oldest event overwritten
  @inline export const DROP_TCP_OUT_OF_ORDER: i32 = 42; // data past rcv_nxt not kept: every out-of-order range is in use
  @inline export const DROP_TCP_ORPHAN_DATA: i32 = 43; // data for a connection the app closed: reset
  @inline export const TCP_FAST_RETRANSMITS: i32 = 44; // third duplicate ACK (RFC 5681 3.2) or NewReno partial ACK
  @inline export const TCP_RTO_TIMEOUTS: i32 = 45;   // retransmission timer expirations
  @inline export const TCP_OOO_SEGMENTS: i32 = 46;   // segments held past a hole, reassembled later
  @inline export const TCP_DUP_ACKS: i32 = 47;       // duplicate ACKs received (RFC 5681 2)
  @inline export const TCP_KEEPALIVE_PROBES: i32 = 48; // keepalive probes sent (RFC 1122 4.2.3.6)
  @inline export const TCP_KEEPALIVE_TIMEOUTS: i32 = 49; // connections ended by unanswered keepalives (also TCP_TIMEOUTS)
  @inline export const TCP_USER_TIMEOUTS: i32 = 50;  // connections ended by the user timeout (also TCP_TIMEOUTS)
  @inline export const TCP_CHALLENGE_ACKS: i32 = 51; // RFC 5961 challenge ACKs sent (RST, SYN, ACK out of range)
  @inline export const TCP_CHALLENGE_ACKS_LIMITED: i32 = 52; // challenge ACKs not sent: rate limit (RFC 5961 7)
  @inline export const DROP_TCP_OLD_ACK: i32 = 53;   // ACK below SND.UNA − MAX.SND.WND (RFC 5961 5.2)
  @inline export const DROP_TCP_PAWS: i32 = 54;     // TSval older than TS.Recent (RFC 7323 5.3)
  @inline export const DROP_TCP_NO_TS: i32 = 55;    // no TSopt although timestamps were agreed (RFC 7323 3.2)
  @inline export const TCP_SACK_RECOVERIES: i32 = 56; // loss recoveries driven by the SACK scoreboard (RFC 6675)
  @inline export const TCP_DELAYED_ACKS: i32 = 57;  // ACKs sent by the delayed-ACK timer
  @inline export const IP_NEGATIVE_ADVICE: i32 = 58; // TCP reached R1: an ARP request checks the next hop
  @inline export const TCP_SYN_COOKIES_SENT: i32 = 59; // SYN answered with a cookie: backlog or table full (RFC 4987 3.6)
  @inline export const TCP_SYN_COOKIES_OK: i32 = 60; // connections opened by an ACK that returned a valid cookie
  @inline export const DROP_TCP_BAD_COOKIE: i32 = 61; // ACK to a listener while cookies were out, not a valid one (RST; dropped when it carries data)
  @inline export const TCP_HALF_OPEN_EVICTED: i32 = 62; // oldest SYN-RECEIVED connection dropped for a cookie's peer
  @inline export const TCP_TIME_WAIT_RECYCLED: i32 = 63; // TIME-WAIT ended early: table full, or a newer SYN (RFC 6191)
  @inline export const TCP_ICMP_ERRORS: i32 = 64;   // Destination Unreachable that reached its connection (RFC 5927)
  @inline export const DROP_ICMP_STALE: i32 = 65;   // ... quoting no connection, or a sequence number not in flight
  @inline export const TCP_PMTU_UPDATES: i32 = 66;  // fragmentation needed lowered a connection's MSS (RFC 1191)
  @inline export const TCP_PERSIST_TIMEOUTS: i32 = 67; // window kept shut past the persist limit (also TCP_TIMEOUTS)
  // UDP
  @inline export const UDP_RX: i32 = 68;            // datagrams queued on a socket
  @inline export const UDP_TX: i32 = 69;            // datagrams sent (or parked for ARP)
  @inline export const DROP_UDP_SHORT: i32 = 70;    // shorter than 8 bytes, or length field outside the IP payload
  @inline export const DROP_UDP_CHECKSUM: i32 = 71;
  @inline export const DROP_UDP_NO_SOCKET: i32 = 72; // no socket bound to the port (port unreachable sent unless broadcast)
  @inline export const DROP_UDP_QUEUE_FULL: i32 = 73; // the socket's queue had no room for the datagram
  @inline export const UDP_UNREACH_TX: i32 = 74;    // ICMP port unreachable sent
  @inline export const UDP_UNREACH_LIMITED: i32 = 75; // ... not sent: rate limit
  @inline export const UDP_ICMP_ERRORS: i32 = 76;   // Destination Unreachable reported to the UDP socket that sent the quote
  // DHCP client
  @inline export const DHCP_TX: i32 = 77;           // DHCP messages sent
  @inline export const DHCP_RX: i32 = 78;           // replies accepted (OFFER, ACK, NAK for our transaction)
  @inline export const DROP_DHCP_MALFORMED: i32 = 79; // short, oversized, not a reply, bad magic, an option past the end or wrong, no end, no type
  @inline export const DROP_DHCP_XID: i32 = 80;     // another transaction, or another chaddr
  @inline export const DROP_DHCP_UNEXPECTED: i32 = 81; // valid, but not what the state waits for (or from the wrong server, or an unusable address)
  @inline export const DHCP_CONFLICTS: i32 = 82;    // the ARP probe found the offered address in use (DECLINE sent)
  @inline export const DHCP_LEASES_LOST: i32 = 83;  // leases that expired or were refused by a NAK while held
  // DNS resolver
  @inline export const DNS_QUERIES_TX: i32 = 84;    // queries sent (every retry counts)
  @inline export const DNS_REPLIES: i32 = 85;       // replies accepted (an answer or an error RCODE)
  @inline export const DROP_DNS_SOURCE: i32 = 86;   // reply from another address or port than the server's 53
  @inline export const DROP_DNS_ID: i32 = 87;       // reply with another query id (RFC 5452)
  @inline export const DROP_DNS_MALFORMED: i32 = 88; // reply that failed the parse (truncated datagram, bad name, …)
  @inline export const DNS_TIMEOUTS: i32 = 89;      // waits for a reply that ended without one
  @inline export const DNS_CACHE_HITS: i32 = 90;    // queries answered from the cache
  @inline export const DNS_TCP_QUERIES: i32 = 91;  // truncated (TC) replies asked again over TCP (RFC 1035 4.2.2)
  @inline export const DROP_DNS_OVERSIZE: i32 = 92; // TCP answers longer than DNS_TCP_MAX: the query ends with EMSGSIZE
  @inline export const COUNT: i32 = 93;
}

let countersBase: usize = 0;

export function countersInit(): void {
  countersBase = regionAlloc(Region.COUNTERS, <usize>C.COUNT << 2);
}

/** Count one occurrence of `id`. A call, not inlined: it is used at over a hundred sites. */
export function count(id: i32): void {
  const p = countersBase + (<usize>id << 2);
  store<u32>(p, load<u32>(p) + 1);
}

export function counterGet(id: i32): u32 {
  if (<u32>id >= <u32>C.COUNT) return 0;
  return load<u32>(countersBase + (<usize>id << 2));
}
