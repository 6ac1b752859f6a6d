// host/packet/cidr.ts: the one "A.B.C.D/P" parser of the host side (CLI flags, petrel qemu, the TAP
// helpers, PetrelStack's ip option): what it accepts, and the message for what it refuses.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cidrOrThrow, parseCidr, sameSubnet } from "../../host/packet/cidr.ts";

test("parseCidr: address and prefix, a default prefix only when asked, whitespace trimmed", () => {
  assert.deepEqual(parseCidr("198.18.0.2/24"), { ip: "198.18.0.2", prefix: 24 });
  assert.deepEqual(parseCidr(" 198.18.0.2/32 "), { ip: "198.18.0.2", prefix: 32 });
  assert.deepEqual(parseCidr("198.18.0.2", { defaultPrefix: 16 }), { ip: "198.18.0.2", prefix: 16 });
  assert.match(parseCidr("198.18.0.2") as string, /^bad address "198\.18\.0\.2": expected an IPv4 address with a prefix length/);
});

test("parseCidr: a bad octet, prefix 0 or past 32, a name or a sixth field is one message", () => {
  for (const s of ["198.18.0.256/24", "198.18.0.2/0", "198.18.0.2/33", "petrel/24", "198.18.0/24", "198.18.0.2.1/24", "198.18.0.2/", ""]) {
    const r = parseCidr(s);
    assert.equal(typeof r, "string", s);
    assert.equal(r, `bad address ${JSON.stringify(s)}: expected an IPv4 address with a prefix length, e.g. 198.18.0.2/24`);
  }
});

test("parseCidr { host }: the network and broadcast addresses of a /1–/30 are refused, a /31's are hosts (RFC 3021)", () => {
  assert.equal(parseCidr("198.18.0.0/24", { host: true }), "198.18.0.0 is the network address of 198.18.0.0/24, not a host address");
  assert.equal(parseCidr("198.18.0.255/24", { host: true }), "198.18.0.255 is the broadcast address of 198.18.0.255/24, not a host address");
  assert.deepEqual(parseCidr("198.18.0.0/24"), { ip: "198.18.0.0", prefix: 24 }, "without host, a network address parses");
  assert.deepEqual(parseCidr("198.18.0.0/31", { host: true }), { ip: "198.18.0.0", prefix: 31 });
  assert.deepEqual(parseCidr("198.18.0.1/31", { host: true }), { ip: "198.18.0.1", prefix: 31 });
  assert.equal(parseCidr("198.18.0.3/30", { host: true }), "198.18.0.3 is the broadcast address of 198.18.0.3/30, not a host address");
});

test("sameSubnet and cidrOrThrow", () => {
  assert.equal(sameSubnet("198.18.0.1", "198.18.0.200", 24), true);
  assert.equal(sameSubnet("198.18.0.1", "198.18.1.1", 24), false);
  assert.equal(sameSubnet("198.18.0.1", "198.18.1.1", 23), true);
  assert.throws(() => cidrOrThrow("x/24"), /bad address "x\/24"/);
});
