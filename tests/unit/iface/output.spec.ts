import { ifaceDown, ifaceRoutable, ifaceIp, ifaceMac } from "../../../assembly/iface/iface";
import { ifaceInput } from "../../../assembly/iface/input";
import { ifacePoll, ipOutput, ipTxPayload, ipTxPayloadMax } from "../../../assembly/iface/output";
import { arpPendingCount } from "../../../assembly/iface/arp";
import { C } from "../../../assembly/counters";
import { Err } from "../../../assembly/errors";
import { MTU } from "../../../assembly/config";
import { get16, get32 } from "../../../assembly/wire/bytes";
import { ipv4Check } from "../../../assembly/wire/ipv4";
import { ctr, same, setupMemory, txCount, txFrame, txLen } from "../helpers";
import { GW, ME, PEER, REMOTE, arpFrame, setupIface } from "./fixtures";

const T0: u32 = 100;

describe("iface output", () => {
  it("identity: our IP and MAC as configured", () => {
    setupIface();
    expect(ifaceIp()).toBe(ME);
    expect(same(ifaceMac(), [0x02, 0, 0, 0, 0, 1])).toBe(true);
    expect(ipTxPayloadMax()).toBe(MTU - 20);
  });
  it("RFC 1122 3.3.1.1: on-link destination, MAC known → one frame to that MAC", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    store<u32>(ipTxPayload(), 0xdeadbeef);
    expect(ipOutput(PEER, 6, 4, T0)).toBe(0);
    expect(txCount()).toBe(2);
    expect(txLen(1)).toBe(14 + 20 + 4);
    const f = txFrame(1);
    expect(same(f, [0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00])).toBe(true);
    expect(ipv4Check(f + 14, 24)).toBe(20);
    expect(load<u8>(f + 14 + 8)).toBe(<u8>64);                 // IP_TTL
    expect(get16(f + 14 + 6)).toBe(<u16>0x4000);              // DF
    expect(get32(f + 14 + 16)).toBe(PEER);
    expect(load<u32>(f + 34)).toBe(0xdeadbeef);
    expect(ctr(C.TX_FRAMES)).toBe(2);
  });
  it("RFC 1122 3.3.1.1: off-link destination goes to the gateway's MAC (ARP for the gateway)", () => {
    setupIface();
    expect(ipOutput(REMOTE, 6, 4, T0)).toBe(0);
    expect(txCount()).toBe(1);
    const req = txFrame(0);
    expect(get16(req + 12)).toBe(<u16>0x0806);
    expect(get32(req + 14 + 24)).toBe(GW);                     // who-has gateway
    expect(arpPendingCount(GW)).toBe(1);
    ifaceInput(arpFrame(2, 0xfe, GW, ME, false), 42, T0 + 1);
    expect(txCount()).toBe(2);
    const f = txFrame(1);
    expect(same(f, [0x02, 0, 0, 0, 0, 0xfe])).toBe(true);      // to the gateway's MAC
    expect(get32(f + 14 + 16)).toBe(REMOTE);                   // IP destination unchanged
  });
  it("RFC 1122 3.3.1.1: off-link with no gateway → ENETUNREACH, counted TX_NO_ROUTE", () => {
    setupIface(0);
    expect(ifaceRoutable(REMOTE)).toBe(false);
    expect(ifaceRoutable(PEER)).toBe(true);
    expect(ipOutput(REMOTE, 6, 4, T0)).toBe(Err.ENETUNREACH);
    expect(ctr(C.TX_NO_ROUTE)).toBe(1);
    expect(txCount()).toBe(0);
  });
  it("with a gateway every destination is routable", () => {
    setupIface();
    expect(ifaceRoutable(REMOTE)).toBe(true);
    expect(ifaceRoutable(0)).toBe(false);
  });
  it("unresolved next hop: the frame is queued and one ARP request broadcast", () => {
    setupIface();
    expect(ipOutput(PEER, 6, 8, T0)).toBe(0);
    expect(txCount()).toBe(1);
    const r = txFrame(0);
    expect(same(r, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06])).toBe(true);
    expect(get16(r + 14 + 6)).toBe(<u16>1);
    expect(get32(r + 14 + 14)).toBe(ME);
    expect(get32(r + 14 + 24)).toBe(PEER);
    expect(arpPendingCount(PEER)).toBe(1);
    expect(ifacePoll(T0)).toBeGreaterThan(0);
  });
  it("bad lengths and addresses are refused", () => {
    setupIface();
    expect(ipOutput(PEER, 6, -1, T0)).toBe(Err.EINVAL);
    expect(ipOutput(PEER, 6, ipTxPayloadMax() + 1, T0)).toBe(Err.EINVAL);
    expect(ipOutput(0, 6, 4, T0)).toBe(Err.EINVAL);
    expect(ipOutput(ME, 6, 4, T0)).toBe(Err.EINVAL);
    expect(txCount()).toBe(0);
  });
  it("a full-size payload (MTU − 20) fits one frame", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    expect(ipOutput(PEER, 6, ipTxPayloadMax(), T0)).toBe(0);
    expect(txLen(1)).toBe(MTU + 14);
  });
  it("IP identification changes between datagrams", () => {
    setupIface();
    ifaceInput(arpFrame(1, 2, PEER, ME), 42, T0);
    ipOutput(PEER, 6, 0, T0);
    ipOutput(PEER, 6, 0, T0);
    expect(get16(txFrame(1) + 18)).not.toBe(get16(txFrame(2) + 18));
  });
  it("before ifaceInit: ipOutput refuses and ifacePoll has nothing", () => {
    setupMemory();
    ifaceDown();
    expect(ipOutput(PEER, 6, 4, T0)).toBe(Err.EINVAL);
    expect(ifacePoll(T0)).toBe(-1);
    expect(ifaceRoutable(PEER)).toBe(false);
    expect(txCount()).toBe(0);
  });
});
