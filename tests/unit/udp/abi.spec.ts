// The app's UDP calls (socket/udp.ts): ownership and the io buffer's unsigned pointer/length checks.
import { Err } from "../../../assembly/errors";
import { eventsInit } from "../../../assembly/storage/events";
import { UDP_OWNER_DHCP, udpInit, udpOpen, udpDeliver } from "../../../assembly/udp/socket";
import * as udp from "../../../assembly/socket/udp";
import { ioInit } from "../../../assembly/socket/io";
import { scratch } from "../helpers";
import { PEER, setupIface } from "../iface/fixtures";

const IO = 256;
let io: usize = 0;

function setup(): void {
  setupIface();
  eventsInit();
  udpInit();
  io = scratch(IO);
  ioInit(io, IO);
}

describe("udp ABI calls", () => {
  it("a socket of the core's DHCP client is EBADF for every app call", () => {
    setup();
    const h = udpOpen(UDP_OWNER_DHCP);
    const p = <i32>io;
    expect(udp.bind(h, 68)).toBe(Err.EBADF);
    expect(udp.sendTo(h, PEER, 67, p, 1, 0)).toBe(Err.EBADF);
    expect(udp.recvFrom(h, p, 16, p + 100)).toBe(Err.EBADF);
    expect(udp.close(h)).toBe(Err.EBADF);
  });
  it("ports above 65535 are EINVAL", () => {
    setup();
    const h = udp.open();
    expect(udp.bind(h, 65536)).toBe(Err.EINVAL);
    expect(udp.bind(h, -1)).toBe(Err.EINVAL);
    expect(udp.sendTo(h, PEER, 65536, <i32>io, 1, 0)).toBe(Err.EINVAL);
  });
  it("hostile pointers and lengths are EINVAL, never a trap", () => {
    setup();
    const h = udp.open();
    udp.bind(h, 7);
    const p = <i32>io;
    expect(udp.sendTo(h, PEER, 7, p - 1, 1, 0)).toBe(Err.EINVAL);        // before the io buffer
    expect(udp.sendTo(h, PEER, 7, p, IO + 1, 0)).toBe(Err.EINVAL);       // past its end
    expect(udp.sendTo(h, PEER, 7, p, -1, 0)).toBe(Err.EINVAL);           // negative = huge unsigned
    expect(udp.sendTo(h, PEER, 7, -1, 2, 0)).toBe(Err.EINVAL);           // would wrap past 2^32
    expect(udp.sendTo(h, PEER, 7, 0x7fffffff, 0x7fffffff, 0)).toBe(Err.EINVAL);
    expect(udp.recvFrom(h, p, 16, p + IO - 11)).toBe(Err.EINVAL);        // meta runs past the end
    expect(udp.recvFrom(h, p, 16, -4)).toBe(Err.EINVAL);
    expect(udp.recvFrom(h, p, -1, p + 100)).toBe(Err.EINVAL);
  });
  it("udp_bind answers the port bound, an ephemeral one for 0", () => {
    setup();
    expect(udp.bind(udp.open(), 7)).toBe(7);
    expect(udp.bind(udp.open(), 0)).toBeGreaterThanOrEqual(49152);
  });
  it("inside the io buffer the calls work: recvfrom with meta right after the data", () => {
    setup();
    const h = udp.open();
    udp.bind(h, 7);
    udpDeliver(h & 0xff, PEER, 9, scratch(4, 0x33), 4);
    const p = <i32>io;
    expect(udp.recvFrom(h, p, 16, p + 16)).toBe(4);
    expect(load<u8>(io + 3)).toBe(0x33);
    expect(load<u32>(io + 16)).toBe(PEER);
    expect(udp.recvFrom(h, p, 16, p + 16)).toBe(Err.EAGAIN);
    expect(udp.close(h)).toBe(0);
    expect(udp.close(h)).toBe(Err.EBADF);
  });
});
