// boards/linux --dhcp: the native board (both engines) leases its address from dnsmasq on the
// kernel side of its TAP (in a namespace this test creates) and renews it. dnsmasq's shortest lease
// is 2 minutes, so it sends T1 = 8 s (option 58): the renewal comes 8 s after the lease. dnsmasq is
// the lease's DNS server too, with a host record: the board then resolves a name with the core's
// resolver and the server of its lease (no --dns), connects by name to a kernel-side echo server
// and checks the echo byte for byte; an unknown name is NXDOMAIN: a dns error line, one line on
// stderr, a failed job and exit status 1.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "../../host/node/files.ts";
import { unavailable } from "../support/env.ts";
import { Dnsmasq, dhcpServerArgs, dnsmasqUnavailable, waitForLog } from "../support/dnsmasq.ts";
import { runPeer } from "../support/netns.ts";
import { Board, BOARD_BIN, type ClientResult, ENGINES, type Engine, KERNEL_IP, Netns, netUnavailable, tapName } from "./support.ts";

type DhcpLine = { event: "dhcp"; state: string; ip: string; gateway: string; server: string; dns: string[]; lease: number; t1_ms: number };
type DnsLine = { event: "dns"; name: string; addresses?: string[]; ttl?: number; error?: string; code?: number };
type ResultLine = { result: ClientResult & { host?: string } };
const NAME = "echo.petrel.test";

for (const engine of Object.keys(ENGINES) as Engine[]) {
  test(`[${engine}] --dhcp: the board leases an address from dnsmasq (RFC 2131 4.4.1), answers ping on it, renews at T1 (4.4.5), resolves a name with the lease's DNS server (RFC 1035) and echoes byte-exact over a connection by name`, { timeout: 460_000 }, async (t) => {
    if (!existsSync(BOARD_BIN) && !netUnavailable(process.execPath)) {
      // not built yet (linux.test.ts builds it; this file sorts after it, so that build is normally done)
      const b = spawnSync(process.execPath, [join(ROOT, "scripts", "build-boards.mjs")], { encoding: "utf8", timeout: 400_000 });
      assert.equal(b.status, 0, `build-boards failed:\n${b.stdout}\n${b.stderr}`);
    }
    const why = netUnavailable(ENGINES[engine]) ?? dnsmasqUnavailable();
    if (why) return unavailable(t, why);
    const ns = new Netns("d");
    const dev = tapName("d");
    const dir = mkdtempSync(join(tmpdir(), "petrel-board-dhcp-"));
    let board: Board | undefined;
    let dnsmasq: Dnsmasq | undefined;
    try {
      // the client jobs wait for the lease and for a line on stdin (sent after the renewal)
      board = new Board(["--tap", dev, "--dhcp", "--dhcp-delay", "0", "--host-ip", `${KERNEL_IP}/24`, "--wait-stdin",
        "--connect", `${NAME}:7053`, "--send-bytes", "300k", "--expect", "echo", "--connect", "nope.petrel.test:7053"], ns.name, ENGINES[engine]);
      const ready = await board.ready();
      assert.equal(ready.ip, "0.0.0.0/0");
      dnsmasq = await Dnsmasq.start({ ns: ns.name, listen: KERNEL_IP, hosts: { [NAME]: KERNEL_IP }, extra: dhcpServerArgs({ dev, dir, router: KERNEL_IP, leaseS: 120, t1S: 8, t2S: 100 }) });
      // the first DISCOVER (at once: --dhcp-delay 0) may have gone before dnsmasq listened: the
      // retransmission (4 s ±1) finds it
      const bound = await board.waitLine<DhcpLine>((l) => l.event === "dhcp" && l.state === "BOUND", 30_000);
      const ip = bound.ip.split("/")[0]!;
      assert.match(bound.ip, /^198\.18\.0\.(1[0-4]\d|150)\/24$/);
      assert.deepEqual([bound.gateway, bound.server, bound.dns, bound.lease], [KERNEL_IP, KERNEL_IP, [KERNEL_IP], 120]);
      assert.ok(bound.t1_ms <= 8000, `T1 in ${bound.t1_ms} ms`);
      const ping = ns.exec(["ping", "-c", "1", "-W", "3", ip]);
      assert.equal(ping.code, 0, `ping ${ip}: ${ping.stdout}${ping.stderr}`);
      const at = board.lines.indexOf(bound);
      await board.waitLine((l) => l.event === "dhcp" && l.state === "RENEWING", 15_000, at);
      const renewed = await board.waitLine<DhcpLine>((l) => l.event === "dhcp" && l.state === "BOUND", 15_000, at + 1);
      assert.equal(renewed.ip, bound.ip);
      await waitForLog(dnsmasq, new RegExp(`DHCPACK\\(${dev}\\) ${ip.replace(/\./g, "\\.")}`), 5000, 2);

      const peer = runPeer<{ connections: number }>(ns.name, "echo-server", { host: KERNEL_IP, port: 7053 });
      await peer.listening;
      board.proc.stdin!.write("go\n");
      const answer = await board.waitLine<DnsLine>((l) => l.event === "dns" && l.name === NAME, 15_000);
      assert.deepEqual(answer.addresses, [KERNEL_IP]);
      assert.match(dnsmasq.log, new RegExp(`query\\[A\\] echo\\.petrel\\.test from ${ip.replace(/\./g, "\\.")}`), "the query went to the lease's DNS server from the leased address");
      const echo = (await board.waitLine<ResultLine>((l) => (l.result as ClientResult | undefined)?.job === 0, 30_000)).result;
      assert.deepEqual([echo.host, echo.ip, echo.mode, echo.sent, echo.received, echo.mismatch_at, echo.ok], [NAME, KERNEL_IP, "echo", 300 * 1024, 300 * 1024, -1, true]);
      const nx = await board.waitLine<DnsLine>((l) => l.event === "dns" && l.name === "nope.petrel.test", 15_000);
      assert.deepEqual([nx.error, nx.code], ["ENOTFOUND", -200]);
      const failed = (await board.waitLine<ResultLine>((l) => (l.result as ClientResult | undefined)?.job === 1, 5000)).result;
      assert.deepEqual([failed.host, failed.ok, failed.error], ["nope.petrel.test", false, -200]);
      // the jobs are done and there are no --services: the board exits, 1 for the failed one
      let timer: NodeJS.Timeout | undefined;
      const end = await Promise.race([board.exited, new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), 10_000)))]);
      clearTimeout(timer);
      assert.notEqual(end, "timeout", "the board exits by itself after its jobs");
      assert.equal((end as { code: number | null }).code, 1, board.stderr);
      assert.equal(board.stderr, "petrel: resolve nope.petrel.test: no such name (NXDOMAIN) (ENOTFOUND)\n");
      peer.send("done");
      assert.equal((await peer.result).connections, 1);
    } finally {
      await board?.stop(2000);
      await dnsmasq?.stop();
      ns.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
