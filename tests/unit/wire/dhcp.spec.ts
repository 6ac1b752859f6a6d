import {
  DHCP_BAD_MAGIC, DHCP_BAD_OPTION, DHCP_BAD_XID, DHCP_MAX_LEN, DHCP_MIN_LEN, DHCP_NO_END, DHCP_NO_TYPE, DHCP_NOT_REPLY,
  DHCP_SHORT, DHCP_TOO_LONG, DhcpType, dhcpCiaddr, dhcpDns, dhcpDnsCopy, dhcpDnsCount, dhcpEmit, dhcpHasLease, dhcpHasMask, dhcpLease,
  dhcpMask, dhcpParse, dhcpRouter, dhcpSecs, dhcpServerId, dhcpT1, dhcpT2, dhcpXid, dhcpYiaddr,
} from "../../../assembly/wire/dhcp";
import { put, same, scratch } from "../helpers";

const XID: u32 = 0x12345678;
const MAC = memory.data<u8>([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]);
const YI: u32 = 0xc6120064;  // 198.18.0.100

/** A server reply: BOOTREPLY, Ethernet, XID, yiaddr, our chaddr, the magic cookie, then `opts`.
 *  Returns its length (240 + opts). */
function reply(p: usize, opts: u8[]): i32 {
  memory.fill(p, 0, 240);
  put(p, [2, 1, 6, 0, 0x12, 0x34, 0x56, 0x78]);
  put(p + 16, [0xc6, 0x12, 0x00, 0x64]);
  memory.copy(p + 28, MAC, 6);
  put(p + 236, [0x63, 0x82, 0x53, 0x63]);
  put(p + 240, opts);
  return 240 + opts.length;
}
/** An ACK with server id, lease 120 s, T1 60, T2 100, mask /24, router .1, two DNS servers. */
const ACK: u8[] = [53, 1, 5, 54, 4, 198, 18, 0, 1, 51, 4, 0, 0, 0, 120, 58, 4, 0, 0, 0, 60, 59, 4, 0, 0, 0, 100,
  1, 4, 255, 255, 255, 0, 3, 4, 198, 18, 0, 1, 6, 8, 198, 18, 0, 1, 198, 18, 0, 2, 255];

describe("dhcp codec (RFC 2131 2, RFC 2132)", () => {
  it("RFC 2131 2: a good ACK parses into the validated record", () => {
    const p = scratch(600);
    const n = reply(p, ACK);
    expect(dhcpParse(p, n, XID, MAC)).toBe(<i32>DhcpType.ACK);
    expect(dhcpYiaddr()).toBe(YI);
    expect(dhcpServerId()).toBe(0xc6120001);
    expect(dhcpLease()).toBe(120);
    expect(dhcpHasLease()).toBe(true);
    expect(dhcpT1()).toBe(60);
    expect(dhcpT2()).toBe(100);
    expect(dhcpHasMask()).toBe(true);
    expect(dhcpMask()).toBe(0xffffff00);
    expect(dhcpRouter()).toBe(0xc6120001);
    expect(dhcpDnsCount()).toBe(2);
    expect(dhcpDns(1)).toBe(0xc6120002);
    expect(dhcpDns(2)).toBe(0);
  });
  it("RFC 2132 3.1/3.8: pad options are skipped and unknown options passed over", () => {
    const p = scratch(600);
    const n = reply(p, [0, 0, 53, 1, 2, 0, 200, 3, 1, 2, 3, 54, 4, 198, 18, 0, 1, 255]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(<i32>DhcpType.OFFER);
    expect(dhcpServerId()).toBe(0xc6120001);
  });
  it("RFC 2132 3.6: option 6 keeps the first three servers", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 2, 6, 16, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 255]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(<i32>DhcpType.OFFER);
    expect(dhcpDnsCount()).toBe(3);
    expect(dhcpDns(2)).toBe(0x03030303);
  });
  it("RFC 2132 3.8: dhcpDnsCopy writes the servers kept (at most three) and returns how many", () => {
    const p = scratch(600);
    const dst = scratch(16, 0xa5);
    expect(dhcpParse(p, reply(p, ACK), XID, MAC)).toBe(<i32>DhcpType.ACK);
    expect(dhcpDnsCopy(dst)).toBe(2);
    expect(load<u32>(dst)).toBe(0xc6120001);
    expect(load<u32>(dst + 4)).toBe(0xc6120002);
    expect(load<u32>(dst + 8)).toBe(0xa5a5a5a5);      // nothing past the count
    const n = reply(p, [53, 1, 2, 6, 16, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 255]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(<i32>DhcpType.OFFER);
    expect(dhcpDnsCopy(dst)).toBe(3);
    expect(load<u32>(dst + 8)).toBe(0x03030303);
    expect(load<u32>(dst + 12)).toBe(0xa5a5a5a5);
  });
  it("RFC 2131 2: shorter than the fixed part is DHCP_SHORT", () => {
    const p = scratch(600);
    reply(p, ACK);
    expect(dhcpParse(p, 239, XID, MAC)).toBe(DHCP_SHORT);
  });
  it("oversized: longer than DHCP_MAX_LEN is DHCP_TOO_LONG", () => {
    const p = scratch(DHCP_MAX_LEN + 16);
    reply(p, ACK);
    expect(dhcpParse(p, DHCP_MAX_LEN + 1, XID, MAC)).toBe(DHCP_TOO_LONG);
  });
  it("RFC 2131 2: op BOOTREQUEST (a client's message) is DHCP_NOT_REPLY, as is a non-Ethernet htype", () => {
    const p = scratch(600);
    const n = reply(p, ACK);
    store<u8>(p, 1);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_NOT_REPLY);
    store<u8>(p, 2); store<u8>(p + 1, 6);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_NOT_REPLY);
  });
  it("RFC 2131 3: a wrong magic cookie is DHCP_BAD_MAGIC", () => {
    const p = scratch(600);
    const n = reply(p, ACK);
    store<u8>(p + 239, 0x64);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_MAGIC);
  });
  it("RFC 2131 4.4.1: another xid, or another chaddr, is DHCP_BAD_XID", () => {
    const p = scratch(600);
    const n = reply(p, ACK);
    expect(dhcpParse(p, n, XID + 1, MAC)).toBe(DHCP_BAD_XID);
    store<u8>(p + 33, 9);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_XID);
  });
  it("an option whose length runs past the end is DHCP_BAD_OPTION", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 5, 6, 200, 1, 2, 3, 4]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_OPTION);
  });
  it("an option code as the last byte (no length) is DHCP_BAD_OPTION", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 5, 6]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_OPTION);
  });
  it("RFC 2131 4.1: options without the end option are DHCP_NO_END", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 5, 0, 0]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_NO_END);
  });
  it("RFC 2132: wrong lengths or values of the options we use are DHCP_BAD_OPTION", () => {
    const p = scratch(600);
    expect(dhcpParse(p, reply(p, [53, 2, 5, 5, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION);        // type length 2
    expect(dhcpParse(p, reply(p, [53, 1, 9, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION);           // type 9
    expect(dhcpParse(p, reply(p, [53, 1, 5, 54, 3, 1, 2, 3, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION); // server id 3 bytes
    expect(dhcpParse(p, reply(p, [53, 1, 5, 54, 4, 0, 0, 0, 0, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION); // server id 0
    expect(dhcpParse(p, reply(p, [53, 1, 5, 51, 2, 0, 9, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION); // lease 2 bytes
    expect(dhcpParse(p, reply(p, [53, 1, 5, 1, 4, 255, 0, 255, 0, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION); // mask not contiguous
    expect(dhcpParse(p, reply(p, [53, 1, 5, 3, 5, 1, 2, 3, 4, 5, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION); // router 5 bytes
    expect(dhcpParse(p, reply(p, [53, 1, 5, 6, 0, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION);     // no DNS server
    expect(dhcpParse(p, reply(p, [53, 1, 5, 12, 0, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION);    // empty host name
    expect(dhcpParse(p, reply(p, [53, 1, 5, 28, 2, 1, 2, 255]), XID, MAC)).toBe(DHCP_BAD_OPTION); // broadcast 2 bytes
  });
  it("RFC 3396: a repeated option is refused (no concatenation): DHCP_BAD_OPTION", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 2, 51, 4, 0, 0, 0, 9, 51, 4, 0, 0, 0xff, 0xff, 255]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_OPTION);
  });
  it("RFC 2131 4.4.1: a reply without a message type, or with a client's type, is DHCP_NO_TYPE", () => {
    const p = scratch(600);
    expect(dhcpParse(p, reply(p, [54, 4, 198, 18, 0, 1, 255]), XID, MAC)).toBe(DHCP_NO_TYPE);
    expect(dhcpParse(p, reply(p, [53, 1, 3, 255]), XID, MAC)).toBe(DHCP_NO_TYPE);
  });
  it("RFC 2131 4.1: option 52 continues the options in file, then sname", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 5, 52, 1, 3, 255]);
    put(p + 108, [51, 4, 0, 0, 1, 0, 255]);          // file: the lease
    put(p + 44, [6, 4, 9, 9, 9, 9, 255]);            // sname: a DNS server
    expect(dhcpParse(p, n, XID, MAC)).toBe(<i32>DhcpType.ACK);
    expect(dhcpLease()).toBe(256);
    expect(dhcpDns(0)).toBe(0x09090909);
  });
  it("RFC 2131 4.1: an overloaded field must end with its own end option (DHCP_NO_END)", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 5, 52, 1, 1, 255]);
    memory.fill(p + 108, 0, 128);                     // file: all pad, no end
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_NO_END);
  });
  it("RFC 2131 4.1: option 52 inside an overloaded field, or with a value outside 1..3, is DHCP_BAD_OPTION", () => {
    const p = scratch(600);
    let n = reply(p, [53, 1, 5, 52, 1, 1, 255]);
    put(p + 108, [52, 1, 2, 255]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_OPTION);
    n = reply(p, [53, 1, 5, 52, 1, 4, 255]);
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_OPTION);
  });
  it("an option length reaching into the next field of an overloaded sname is DHCP_BAD_OPTION", () => {
    const p = scratch(600);
    const n = reply(p, [53, 1, 5, 52, 1, 2, 255]);
    put(p + 44 + 60, [15, 10, 97, 98]);              // sname ends 4 bytes later
    expect(dhcpParse(p, n, XID, MAC)).toBe(DHCP_BAD_OPTION);
  });
  it("without option 51 dhcpHasLease() is false", () => {
    const p = scratch(600);
    expect(dhcpParse(p, reply(p, [53, 1, 5, 255]), XID, MAC)).toBe(<i32>DhcpType.ACK);
    expect(dhcpHasLease()).toBe(false);
  });

  it("RFC 2131 4.4.1 table 5: DISCOVER carries type, client id, parameter list; padded to 300 bytes (RFC 1542)", () => {
    const p = scratch(400, 0xa5);
    const n = dhcpEmit(p, DhcpType.DISCOVER, XID, 3, MAC, 0, 0, 0, 0, 0);
    expect(n).toBe(DHCP_MIN_LEN);
    expect(same(p, [1, 1, 6, 0, 0x12, 0x34, 0x56, 0x78, 0, 3, 0, 0])).toBe(true);
    expect(dhcpXid(p)).toBe(XID);
    expect(dhcpSecs(p)).toBe(3);
    expect(dhcpCiaddr(p)).toBe(0);
    expect(same(p + 28, [2, 0, 0, 0, 0, 1, 0, 0])).toBe(true);
    expect(same(p + 236, [0x63, 0x82, 0x53, 0x63, 53, 1, 1, 61, 7, 1, 2, 0, 0, 0, 0, 1, 55, 8, 1, 3, 6, 15, 28, 51, 58, 59, 255, 0])).toBe(true);
    expect(load<u8>(p + 299)).toBe(0);
  });
  it("RFC 2131 4.3.2: REQUEST in SELECTING carries requested address (50) and server id (54), ciaddr 0", () => {
    const p = scratch(400, 0xa5);
    dhcpEmit(p, DhcpType.REQUEST, XID, 0, MAC, 0, YI, 0xc6120001, 0, 0);
    expect(same(p + 252, [50, 4, 0xc6, 0x12, 0, 0x64, 54, 4, 0xc6, 0x12, 0, 1, 55])).toBe(true);
  });
  it("RFC 2131 4.3.2: REQUEST in RENEWING puts the address in ciaddr, without 50 and 54", () => {
    const p = scratch(400, 0xa5);
    dhcpEmit(p, DhcpType.REQUEST, XID, 0, MAC, YI, 0, 0, 0, 0);
    expect(dhcpCiaddr(p)).toBe(YI);
    expect(load<u8>(p + 252)).toBe(55);
  });
  it("RFC 2131 4.4.1: DECLINE carries 50 and 54 and no parameter list; host name only on DISCOVER/REQUEST", () => {
    const p = scratch(400, 0xa5);
    const name = memory.data<u8>([0x70, 0x65]);
    dhcpEmit(p, DhcpType.DECLINE, XID, 0, MAC, 0, YI, 0xc6120001, name, 2);
    expect(same(p + 240, [53, 1, 4])).toBe(true);
    expect(same(p + 252, [50, 4, 0xc6, 0x12, 0, 0x64, 54, 4, 0xc6, 0x12, 0, 1, 255])).toBe(true);
    dhcpEmit(p, DhcpType.DISCOVER, XID, 0, MAC, 0, 0, 0, name, 2);
    expect(same(p + 252, [12, 2, 0x70, 0x65, 55])).toBe(true);
  });
});
