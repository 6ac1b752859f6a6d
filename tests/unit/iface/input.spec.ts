import { ifaceDown } from "../../../assembly/iface/iface";
import { ifaceInit } from "../../../assembly/iface/init";
import { ifaceInput, rxDstIp, rxPayload, rxPayloadLen, rxSrcIp } from "../../../assembly/iface/input";
import { C } from "../../../assembly/counters";
import { Err } from "../../../assembly/errors";
import { get16, get32, put16 } from "../../../assembly/wire/bytes";
import { csumAdd, csumFinish } from "../../../assembly/wire/checksum";
import { ipv4Check } from "../../../assembly/wire/ipv4";
import { icmpCheck } from "../../../assembly/wire/icmp";
import { ctr, same, setupMemory, txCount, txFrame, txLen } from "../helpers";
import { ME, PEER, arpFrame, echoFrame, ipFrame, setupIface } from "./fixtures";

const T0: u32 = 5000;

function recsum(f: usize): void {
  store<u16>(f + 24, 0);
  put16(f + 24, csumFinish(csumAdd(0, f + 14, 20)));
}

describe("iface input", () => {
  it("before ifaceInit every frame is refused", () => {
    setupMemory();
    ifaceDown();
    expect(ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0)).toBe(Err.EINVAL);
  });
  it("ifaceInit validates prefix, address and gateway", () => {
    setupMemory();
    expect(ifaceInit(0x0200, 1, ME, 33, 0)).toBe(Err.EINVAL);
    expect(ifaceInit(0x0200, 1, ME, -1, 0)).toBe(Err.EINVAL);
    expect(ifaceInit(0x0200, 1, 0xe0000001, 24, 0)).toBe(Err.EINVAL);  // multicast address
    expect(ifaceInit(0x0200, 1, ME, 24, 0xc6130001)).toBe(Err.EINVAL); // gateway off-link
    expect(ifaceInit(0x0100, 1, ME, 24, 0)).toBe(Err.EINVAL);          // multicast MAC
    expect(ifaceInit(0x0200, 1, ME, 24, 0)).toBe(0);
    expect(ifaceInit(0x0200, 1, ME, 0, 0x08080808)).toBe(0);           // /0: everything on-link
  });
  it("a frame shorter than the Ethernet header is counted DROP_ETH_SHORT", () => {
    setupIface();
    expect(ifaceInput(arpFrame(1, 2, PEER, ME), 13, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ETH_SHORT)).toBe(1);
  });
  it("a frame for another MAC is counted DROP_ETH_NOT_US", () => {
    setupIface();
    const f = arpFrame(1, 2, PEER, ME, false);
    store<u8>(f + 5, 9);
    expect(ifaceInput(f, 42, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ETH_NOT_US)).toBe(1);
    expect(txCount()).toBe(0);
  });
  it("a multicast destination MAC is counted DROP_ETH_NOT_US", () => {
    setupIface();
    const f = echoFrame(PEER, 4);
    store<u8>(f, 0x01); store<u8>(f + 1, 0x00); store<u8>(f + 2, 0x5e);
    expect(ifaceInput(f, 14 + 32, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ETH_NOT_US)).toBe(1);
  });
  it("an unknown ethertype (IPv6) is counted DROP_ETHERTYPE", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 20);
    put16(f + 12, 0x86dd);
    expect(ifaceInput(f, 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ETHERTYPE)).toBe(1);
  });
  it("RFC 791 3.1: a TCP segment for us is handed up with its addresses and length", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 20);
    expect(ifaceInput(f, 54, T0)).toBe(6);
    expect(rxSrcIp()).toBe(PEER);
    expect(rxDstIp()).toBe(ME);
    expect(rxPayload()).toBe(f + 34);
    expect(rxPayloadLen()).toBe(20);
  });
  it("RFC 894: Ethernet padding is excluded from the payload length", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 2, 60); // 14 + 22 bytes of IP, padded to 60
    expect(ifaceInput(f, 60, T0)).toBe(6);
    expect(rxPayloadLen()).toBe(2);
  });
  it("RFC 791 3.1: IP options are skipped before the payload", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 24);
    store<u8>(f + 14, 0x46);
    store<u32>(f + 34, 0x00010101); // NOP NOP NOP EOL
    store<u16>(f + 24, 0);
    put16(f + 24, csumFinish(csumAdd(0, f + 14, 24)));
    expect(ifaceInput(f, 58, T0)).toBe(6);
    expect(rxPayload()).toBe(f + 38);
    expect(rxPayloadLen()).toBe(20);
  });
  it("RFC 791 3.1: IHL < 5 is counted DROP_IP_MALFORMED", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 20);
    store<u8>(f + 14, 0x44);
    expect(ifaceInput(f, 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_MALFORMED)).toBe(1);
  });
  it("RFC 791 3.1: total length past the frame is counted DROP_IP_MALFORMED", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 20);
    expect(ifaceInput(f, 53, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_MALFORMED)).toBe(1);
  });
  it("RFC 791 3.1: a bad header checksum is counted DROP_IP_CHECKSUM", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 20);
    store<u8>(f + 22, 63); // TTL changed, checksum not
    expect(ifaceInput(f, 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_CHECKSUM)).toBe(1);
  });
  it("RFC 791 3.2: a fragment is counted DROP_IP_FRAGMENT", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 6, 20);
    put16(f + 20, 0x2000);
    recsum(f);
    expect(ifaceInput(f, 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_FRAGMENT)).toBe(1);
  });
  it("RFC 1122 3.2.1.3: a datagram for another address is counted DROP_IP_NOT_US", () => {
    setupIface();
    expect(ifaceInput(ipFrame(PEER, 0xc6120003, 6, 20), 54, T0)).toBeLessThan(0);
    expect(ifaceInput(ipFrame(PEER, 0xc61200ff, 6, 20), 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_NOT_US)).toBe(2);
  });
  it("RFC 1122 3.2.1.3: a broadcast or multicast source is discarded", () => {
    setupIface();
    expect(ifaceInput(ipFrame(0xffffffff, ME, 6, 20), 54, T0)).toBeLessThan(0);
    expect(ifaceInput(ipFrame(0xe0000001, ME, 6, 20), 54, T0)).toBeLessThan(0);
    expect(ifaceInput(ipFrame(0xc61200ff, ME, 6, 20), 54, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_MALFORMED)).toBe(3);
  });
  it("RFC 1122 3.2.2.1: an unknown protocol is counted DROP_IP_PROTO and answered protocol-unreachable", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0); // learn PEER (tx 0 = ARP reply)
    const f = ipFrame(PEER, ME, 132, 12); // SCTP: not handled (UDP is)
    expect(ifaceInput(f, 46, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_IP_PROTO)).toBe(1);
    expect(txCount()).toBe(2);
    const r = txFrame(1);
    expect(txLen(1)).toBe(14 + 20 + 8 + 28);
    expect(load<u8>(r + 34)).toBe(<u8>3);
    expect(load<u8>(r + 35)).toBe(<u8>2);
    expect(icmpCheck(r + 34, 36)).toBe(true);
  });
  it("RFC 792: an echo request is answered with an echo reply carrying its id, seq and data", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    const f = echoFrame(PEER, 5);
    expect(ifaceInput(f, 14 + 20 + 13, T0)).toBe(0);
    expect(ctr(C.ICMP_RX)).toBe(1);
    expect(ctr(C.ICMP_ECHO_REPLIED)).toBe(1);
    expect(txCount()).toBe(2);
    expect(txLen(1)).toBe(14 + 20 + 13);
    const r = txFrame(1);
    expect(same(r, [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00])).toBe(true);
    expect(ipv4Check(r + 14, 33)).toBe(20);
    expect(get32(r + 14 + 12)).toBe(ME);
    expect(get32(r + 14 + 16)).toBe(PEER);
    expect(load<u8>(r + 14 + 9)).toBe(<u8>1);
    expect(same(r + 34, [0, 0])).toBe(true);                           // type 0 code 0
    expect(same(r + 38, [0x42, 0x42, 0, 7, 0x61, 0x62, 0x63, 0x64, 0x65])).toBe(true);
    expect(icmpCheck(r + 34, 13)).toBe(true);
    expect(get16(r + 36)).toBe(<u16>(get16(f + 36) + 0x0800));         // only the type changed
  });
  it("RFC 792: an echo request with a bad checksum is counted DROP_ICMP_MALFORMED", () => {
    setupIface();
    const f = echoFrame(PEER, 5);
    store<u8>(f + 46, 0);
    expect(ifaceInput(f, 47, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ICMP_MALFORMED)).toBe(1);
    expect(txCount()).toBe(0);
  });
  it("RFC 792: a short ICMP message is counted DROP_ICMP_MALFORMED", () => {
    setupIface();
    const f = ipFrame(PEER, ME, 1, 4);
    expect(ifaceInput(f, 38, T0)).toBeLessThan(0);
    expect(ctr(C.DROP_ICMP_MALFORMED)).toBe(1);
  });
});
