// The core's DHCP client against a real server: dnsmasq in the test's namespace on the TAP's kernel
// side (tests/support/dnsmasq.ts). dnsmasq's shortest lease is 2 minutes, so it is told to send
// T1 = 8 s (option 58): the renewal comes 8 s after the lease instead of 60 s, and stays bounded.
// dnsmasq is the lease's DNS server too (option 6), with a host record: the leased stack resolves a
// name with it (no server configured by hand) and connects by name to a kernel-side echo server.
import assert from "node:assert/strict";
import { echoByName, interopTest } from "../support/interop.ts";
import { Dnsmasq, dhcpServerArgs, dnsmasqUnavailable, waitForLog } from "../support/dnsmasq.ts";
import { unavailable } from "../support/env.ts";
import { KERNEL_IP } from "../support/netns.ts";
import { parseDhcpRequest, type DhcpSeen } from "../../host/sim/dhcp-server.ts";

interopTest("DHCP: the Node host leases an address from dnsmasq (RFC 2131 4.4.1), is reachable on it, renews at T1 (4.4.5), resolves a name with the lease's DNS server and echoes byte-exact over a connection by name", { petrel: false, timeoutMs: 60_000 }, async (env, t) => {
  const why = dnsmasqUnavailable();
  if (why) return unavailable(t, why);
  const dnsmasq = await Dnsmasq.start({ ns: env.ns, listen: KERNEL_IP, hosts: { "echo.petrel.test": KERNEL_IP }, extra: dhcpServerArgs({ dev: env.dev, dir: env.dir, router: KERNEL_IP, leaseS: 120, t1S: 8, t2S: 100 }) });
  try {
    const petrel = env.startPetrel({ dhcp: { initDelayMs: 0 } });
    const sent: DhcpSeen[] = [];
    petrel.stack.on("tx", (f) => { const m = parseDhcpRequest(f, Date.now()); if (m) sent.push(m); });
    const ip = await petrel.waitForAddress(30_000);
    const leasedAt = Date.now();
    assert.match(ip, /^198\.18\.0\.(1[0-4]\d|150)$/);
    const info = petrel.dhcp()!;
    assert.deepEqual({ state: info.stateName, gateway: info.gateway, server: info.server, dns: info.dns, lease: info.leaseSeconds, prefix: info.prefix },
      { state: "BOUND", gateway: KERNEL_IP, server: KERNEL_IP, dns: [KERNEL_IP], lease: 120, prefix: 24 });
    assert.ok(info.t1Ms <= 8000, `T1 in ${info.t1Ms} ms`);
    const ping = await env.exec(["ping", "-c", "1", "-W", "3", ip], 10_000);
    assert.equal(ping.code, 0, `ping ${ip}: ${ping.stdout}${ping.stderr}`);
    await waitForLog(dnsmasq, /DHCPACK/, 20_000, 2);
    const renew = sent.find((m) => m.typeName === "REQUEST" && m.ciaddr === ip)!;
    assert.ok(renew, `no renewal REQUEST among ${sent.map((m) => m.typeName).join(",")}`);
    assert.equal(renew.dstIp, KERNEL_IP);                                       // unicast to the server
    assert.ok(renew.timeMs - leasedAt < 10_000, `renewed ${renew.timeMs - leasedAt} ms after the lease`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(petrel.dhcp()!.stateName, "BOUND");
    assert.ok(petrel.dhcp()!.t1Ms > 5000, "the renewal restarted the lease");
    assert.equal(petrel.ip, ip);

    // RFC 1035 with the server the lease named (no dns option, no setDnsServers)
    assert.equal(petrel.stack.core.dnsServerGet(0), KERNEL_IP);
    assert.deepEqual((await petrel.resolve("echo.petrel.test")).addresses, [KERNEL_IP]);
    assert.match(dnsmasq.log, new RegExp(`query\\[A\\] echo\\.petrel\\.test from ${ip.replace(/\./g, "\\.")}`));
    await echoByName(env, petrel, "echo.petrel.test", 200_000);
  } finally {
    await dnsmasq.stop();
  }
});

interopTest("DHCP: offered an address the kernel already holds, the ARP probe finds it (RFC 5227) and the client sends DHCPDECLINE", { petrel: false, timeoutMs: 60_000 }, async (env, t) => {
  const why = dnsmasqUnavailable();
  if (why) return unavailable(t, why);
  const mac = "02:00:00:00:d0:01";
  const taken = "198.18.0.120";
  const dnsmasq = await Dnsmasq.start({ ns: env.ns, listen: KERNEL_IP, extra: dhcpServerArgs({ dev: env.dev, dir: env.dir, router: KERNEL_IP, fixed: { [mac]: taken } }) });
  try {
    const petrel = env.startPetrel({ dhcp: { initDelayMs: 0 }, mac });
    const sent: DhcpSeen[] = [];
    petrel.stack.on("tx", (f) => { const m = parseDhcpRequest(f, Date.now()); if (m) sent.push(m); });
    // The kernel takes the address once dnsmasq ACKed it (before, its unicast OFFER and ACK to that
    // address would stay inside the kernel): the client's probes (1–2 s apart, over ~5 s) meet it.
    await waitForLog(dnsmasq, /DHCPACK/, 30_000);
    const add = await env.exec(["ip", "addr", "add", `${taken}/24`, "dev", env.dev]);
    assert.equal(add.code, 0, add.stderr);
    await waitForLog(dnsmasq, /DHCPDECLINE/, 30_000);
    const decline = sent.find((m) => m.typeName === "DECLINE")!;
    assert.equal(decline.requested, taken);
    assert.equal(decline.serverId, KERNEL_IP);
    assert.equal(petrel.ip, "0.0.0.0");
    assert.equal(petrel.stack.counters().DHCP_CONFLICTS, 1);
  } finally {
    await dnsmasq.stop();
  }
});
