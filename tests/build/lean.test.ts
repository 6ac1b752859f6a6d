// A build without the DHCP client and the DNS resolver (PETREL_DHCP=0, PETREL_DNS_QUERIES=0: README
// "Joining a network: DHCP"): compiled here into a temporary folder (never over build/), it is
// smaller than the default build, runs TCP in the simulator beside a default core, and its DHCP
// and DNS calls answer EOPNOTSUPP instead of trapping.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../../host/node/files.ts";
import { SimNet } from "../../host/sim/sim.ts";
import type { Conn } from "../../host/stack/stack.ts";

/** asc's output for the default profile with extra `--use` values (the same compiler step as
 *  scripts/build.mjs, without its wasm-opt pass: compared with build/petrel-default.raw.wasm). */
function compile(dir: string, uses: string[]): Uint8Array {
  const out = join(dir, "petrel-lean.wasm");
  execFileSync(join(ROOT, "node_modules", ".bin", "asc"),
    ["assembly/index.ts", "--config", "asconfig.json", "--target", "default", ...uses.flatMap((u) => ["--use", u]), "-o", out],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], timeout: 240_000 });
  return readFileSync(out);
}

test("PETREL_DHCP=0 PETREL_DNS_QUERIES=0: a smaller module that runs TCP and answers EOPNOTSUPP to dhcp_start, dhcp_info, dns_query and dns_server", { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "petrel-lean-"));
  try {
    const lean = compile(dir, ["abort=assembly/abi/onAbort", "PETREL_DHCP=0", "PETREL_DNS_QUERIES=0"]);
    const full = readFileSync(join(ROOT, "build", "petrel-default.raw.wasm"));
    // the client and the resolver are about 8 KB of the module: their code must really be gone
    assert.ok(lean.length < full.length - 4000, `${lean.length} bytes without DHCP and DNS, ${full.length} with them`);

    const net = new SimNet({ seed: 5 });
    const server = net.host({ name: "server", ip: "198.18.0.1" });
    const client = net.host({ name: "client", ip: "198.18.0.2", wasm: lean });
    server.listen(7, 4, (c: Conn) => { c.on("data", (d) => c.write(d)); c.on("end", () => c.close()); });
    const conn = client.connect("198.18.0.1", 7);
    let got = "";
    conn.on("data", (d) => (got += new TextDecoder().decode(d)));
    net.runUntil(() => conn.connected, { maxVirtualMs: 5000 });
    conn.write("without DHCP and DNS\n");
    net.runUntil(() => got === "without DHCP and DNS\n", { maxVirtualMs: 5000 });

    const core = client.core;
    const EOPNOTSUPP = core.errorCode("EOPNOTSUPP");
    assert.equal(core.config().DNS_QUERIES, 0);
    assert.equal(client.call((c) => c.dhcpStart(net.now)), EOPNOTSUPP);
    assert.equal(core.dhcpInitDelay(0), EOPNOTSUPP);
    assert.equal(core.x.dhcp_info!(0, net.now), EOPNOTSUPP);
    assert.equal(core.dhcpInfo(net.now), null);
    assert.equal(core.x.dhcp_stop!(net.now), EOPNOTSUPP);
    assert.equal(core.x.dhcp_dns_server!(0), 0);
    assert.equal(core.dnsQuery("example.com", net.now), EOPNOTSUPP);
    assert.equal(core.x.dns_server(0, 0xc6120001), EOPNOTSUPP);
    assert.equal(core.x.dns_result(0x100, 0, 64), EOPNOTSUPP);
    assert.equal(core.x.dns_close(0x100), EOPNOTSUPP);
    // and the stack still works after those calls
    conn.write("still\n");
    net.runUntil(() => got.endsWith("still\n"), { maxVirtualMs: 5000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
