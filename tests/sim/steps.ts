// Driving the simulator's virtual clock under Node streams: sockets of host/node/net.ts are real
// stream.Duplex objects, so a test steps the clock one event at a time and lets Node's stream
// machinery (nextTick, microtasks, setImmediate) run between steps.
import type { SimNet } from "../../host/sim/sim.ts";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Step the virtual clock until pred() holds, yielding to Node between steps. Bounded in virtual
 *  time and in steps; throws naming `what` when either runs out or nothing is left to run. */
export async function until(net: SimNet, pred: () => boolean, what: string, maxVirtualMs = 120_000, maxSteps = 2_000_000): Promise<void> {
  const end = net.now + maxVirtualMs;
  for (let i = 0; i < maxSteps; i++) {
    if (pred()) return;
    await tick();
    if (pred()) return;
    const next = net.clock.peek();
    if (next === null) {
      await tick(); // stream callbacks may schedule more
      if (net.clock.peek() === null && !pred()) throw new Error(`${what}: nothing left to run at t=${net.now}`);
      continue;
    }
    if (next > end) throw new Error(`${what}: not within ${maxVirtualMs} virtual ms (t=${net.now})`);
    net.clock.step();
  }
  throw new Error(`${what}: not after ${maxSteps} steps`);
}
