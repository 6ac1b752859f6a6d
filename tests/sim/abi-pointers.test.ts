// ABI argument checks (docs/abi.md: "every call validates its arguments and returns an error code
// instead of trapping"). Every export that takes a (ptr, len) pair is called with pointers near 0
// and near 2^32 and lengths near 2^31 on every build profile: each returns -EINVAL, never a wasm
// trap. The list of pointer-taking calls is checked against the module's exports, so a new export
// fails this file until it is classified here (and tested, if it takes a pointer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Core, type Profile } from "../../host/core.ts";
import { wasmPathFor } from "../../host/node/files.ts";
import { ipToU32 } from "../../host/packet/packet.ts";
import { readFileSync } from "node:fs";

type Fn = (...a: number[]) => number;
const PROFILES: Profile[] = ["tiny", "default", "server"];
const EINVAL = -22;

/** Calls whose arguments include a pointer into linear memory: the argument positions of the
 *  pointer and of its length (a fixed length when the call writes a fixed-size record); `fn` when the
 *  entry tests a second pointer of the same call; `args` the call's other arguments (default: the TCP
 *  connection's handle first, zeros after). */
type Setup = { x: Record<string, Fn>; h: number; udp: number; io: number };
type PointerSpec = { fn?: string; ptr: number; len: number | { fixed: number }; args?: (s: Setup) => number[] };
const PEER = ipToU32("198.18.0.2");
const POINTER_CALLS: Record<string, PointerSpec> = {
  tcp_send: { ptr: 1, len: 2 },
  tcp_recv: { ptr: 1, len: 2 },
  tcp_info: { ptr: 1, len: { fixed: 116 } },
  udp_sendto: { ptr: 3, len: 4, args: (s) => [s.udp, PEER, 9, 0, 0, 0] },
  udp_recvfrom: { ptr: 1, len: 2, args: (s) => [s.udp, 0, 0, s.io] },
  "udp_recvfrom (meta)": { fn: "udp_recvfrom", ptr: 3, len: { fixed: 12 }, args: (s) => [s.udp, s.io, 16, 0] },
  dhcp_info: { ptr: 0, len: { fixed: 52 }, args: () => [0, 0] },
  dns_query: { ptr: 0, len: 1, args: () => [0, 0, 0] },
  dns_result: { ptr: 1, len: 2, args: () => [1, 0, 0] },
};
/** Every other function export: no pointer among its arguments. */
const NO_POINTER = [
  "abi_version", "init", "rx_buffer", "rx_buffer_size", "io_buffer", "io_buffer_size", "rx", "poll",
  "tcp_listen", "tcp_accept", "tcp_connect", "tcp_shutdown", "tcp_close", "tcp_abort", "tcp_state", "tcp_error",
  "tcp_readable", "tcp_writable", "tcp_set_option", "tcp_set_default", "tcp_connections",
  "udp_open", "udp_bind", "udp_close", "iface_set", "dhcp_start", "dhcp_stop", "dhcp_release", "dhcp_dns_server", "dhcp_init_delay",
  "dns_server", "dns_server_get", "dns_close",
  "ev_pop", "ev_handle", "ev_arg", "counter_count", "counter", "mem_region_count", "mem_region_start",
  "mem_region_size", "mem_end", "mem_pages", "local_ip", "config",
];

function functionExports(profile: Profile): string[] {
  const mod = new WebAssembly.Module(readFileSync(wasmPathFor(profile)));
  return WebAssembly.Module.exports(mod).filter((e) => e.kind === "function").map((e) => e.name).sort();
}

/** A core after init with one connection in SYN-SENT (a handle the app owns). */
function setup(profile: Profile): { core: Core; x: Record<string, Fn>; h: number; udp: number; io: number; ioSize: number } {
  const core = new Core({ profile });
  assert.equal(core.init({ mac: "02:00:00:00:00:01", ip: "198.18.0.1", prefix: 24, seed: 1 }), 0);
  const x = core.x as unknown as Record<string, Fn>;
  const h = x.tcp_connect!(ipToU32("198.18.0.2"), 80, 0, 0)!;
  assert.ok(h > 0, `connect gave ${h}`);
  const udp = x.udp_open!()!;
  assert.ok(udp >= 0 && x.udp_bind!(udp, 0)! > 0, `udp_open gave ${udp}`);
  return { core, x, h, udp, io: x.io_buffer!()! >>> 0, ioSize: x.io_buffer_size!()! };
}

/** Call an export; a wasm trap (RuntimeError) fails the test with the call named. */
function call(x: Record<string, Fn>, name: string, args: number[]): number {
  try {
    return x[name]!(...args);
  } catch (e) {
    assert.fail(`${name}(${args.map((a) => "0x" + (a >>> 0).toString(16)).join(", ")}) trapped: ${(e as Error).message}`);
  }
}

test("ABI: every function export is classified as taking a pointer or not (a new one must be added here)", () => {
  for (const p of PROFILES) {
    assert.deepEqual(functionExports(p), [...Object.keys(POINTER_CALLS).filter((k) => !POINTER_CALLS[k]!.fn), ...NO_POINTER].sort(), `exports of ${p}`);
  }
});

for (const [name, spec] of Object.entries(POINTER_CALLS)) {
  test(`ABI ${name}: pointers near 0 and near 2^32, lengths near 2^31 give -EINVAL, never a trap (every profile)`, () => {
    for (const profile of PROFILES) {
      const { core, x, h, udp, io, ioSize } = setup(profile);
      const fn = spec.fn ?? name;
      const fixed = typeof spec.len === "object" ? spec.len.fixed : null;
      const lens = fixed !== null ? [fixed] : [16, 0x7fffffff, 0x7ffffff0, 0x80000000, 0xfffffff0, 0xffffffff];
      const base = spec.args ? spec.args({ x, h, udp, io }) : [h, 0, 0, 0].slice(0, x[fn]!.length);
      const args = (ptr: number, len: number): number[] => {
        const a = base.slice();
        a[spec.ptr] = ptr | 0;
        if (fixed === null) a[spec.len as number] = len | 0;
        return a;
      };
      for (const len of lens) {
        const ptrs = [0, 1, 16, io - 1, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff, (0x100000000 - (len >>> 0)) >>> 0];
        if ((len >>> 0) <= ioSize) ptrs.push(io + ioSize - (len >>> 0) + 1);   // one byte past the io buffer's end
        for (const ptr of ptrs) {
          assert.equal(call(x, fn, args(ptr, len)), EINVAL, `${profile}: ${name} ptr 0x${(ptr >>> 0).toString(16)} len 0x${(len >>> 0).toString(16)}`);
        }
      }
      // the same call with a range that ends exactly at the io buffer's end passes the bound check
      // (it is a bound, not a refusal): whatever it answers then, it is not -EINVAL (a name for
      // dns_query is written there first)
      const len = fixed ?? 16;
      new Uint8Array(core.memory().buffer).set(new TextEncoder().encode("petrel-abi.test!".slice(0, 16)), io + ioSize - len);
      if (fn === "dns_query") new Uint8Array(core.memory().buffer)[io + ioSize - 1] = "t".charCodeAt(0);
      const ok = call(x, fn, args(io + ioSize - len, len));
      assert.notEqual(ok, EINVAL, `${profile}: ${name} at the end of the io buffer gave ${ok}`);
    }
  });
}

test("ABI: every export called with extreme i32 arguments (one at a time) returns, never traps", () => {
  const extremes = [0, 1, -1, 0x7fffffff, 0x80000000 | 0, 0xfffffff0 | 0, 0xffff, 0x10000];
  for (const profile of PROFILES) {
    const { x, h } = setup(profile);
    for (const name of functionExports(profile)) {
      const arity = x[name]!.length;
      for (let i = 0; i < arity; i++) {
        for (const v of extremes) {
          const a = new Array<number>(arity).fill(0);
          a[0] = h;
          a[i] = v;
          const r = call(x, name, a);
          assert.equal(typeof r === "number" || typeof r === "bigint" || r === undefined, true);
        }
      }
    }
  }
});
