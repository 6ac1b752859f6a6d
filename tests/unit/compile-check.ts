// Compile-check entry for iface/wire/storage without the lead's index.ts:
//   npx asc tests/unit/compile-check.ts --config tests/unit/asconfig.check.json --noEmit
import { ifaceIp, ifaceMac, ifaceRoutable } from "../../assembly/iface/iface";
import { ifaceInit } from "../../assembly/iface/init";
import { ifaceInput, rxSrcIp, rxDstIp, rxPayload, rxPayloadLen } from "../../assembly/iface/input";
import { ipTxPayload, ipTxPayloadMax, ipOutput, ifacePoll } from "../../assembly/iface/output";
import { Ring, ringInit, ringWrite, ringRead, ringPeek, ringConsume, ringClear, ringLen, ringFree, ringWriteAt, ringCommit } from "../../assembly/storage/ring";
import { countersInit } from "../../assembly/counters";
import { layoutReset } from "../../assembly/storage/layout";

export function init(): i32 {
  layoutReset();
  countersInit();
  return ifaceInit(0x0200, 0x00000001, 0xc6120001, 24, 0xc61200fe);
}
export function rx(frame: usize, len: i32, now: u32): i32 {
  const r = ifaceInput(frame, len, now);
  return r + <i32>rxSrcIp() + <i32>rxDstIp() + <i32>rxPayload() + rxPayloadLen();
}
export function tx(dst: u32, n: i32, now: u32): i32 {
  return ipOutput(dst, 6, n, now) + <i32>ipTxPayload() + ipTxPayloadMax() + <i32>ifaceIp() + <i32>ifaceMac() + (ifaceRoutable(dst) ? 1 : 0);
}
export function poll(now: u32): i32 { return ifacePoll(now); }
export function ring(r: usize, buf: usize, p: usize): i32 {
  const g = changetype<Ring>(r);
  ringInit(g, buf, 256);
  ringWrite(g, p, 10); ringWriteAt(g, 3, p, 4); ringCommit(g, 1);
  ringPeek(g, 1, p, 3); ringRead(g, p, 2); ringConsume(g, 1);
  const n = <i32>ringLen(g) + <i32>ringFree(g);
  ringClear(g);
  return n;
}
