// The DHCP client as an application sees it (`petrel serve|resolve|connect --dhcp`, the status
// page): the lease in one line, the status page's lease block, a line for each later change of
// the client's state (renewal, rebinding, loss of the address), and a bounded wait for the lease.
import { DHCP_STATE_NAMES, type CoreEvent, type DhcpInfo } from "../core.ts";
import type { PetrelStack } from "../node/net.ts";

const seconds = (ms: number): string => (ms === Infinity ? "never" : `${Math.round(ms / 1000)} s`);

/** "from 198.18.0.1: gateway 198.18.0.1, dns 198.18.0.1, lease 120 s (T1 in 8 s, T2 in 100 s)" */
export function leaseTerms(d: DhcpInfo): string {
  const lease = d.leaseLeftMs === Infinity ? "an infinite lease" : `lease ${d.leaseSeconds} s (T1 in ${seconds(d.t1Ms)}, T2 in ${seconds(d.t2Ms)})`;
  const gw = d.gateway !== "0.0.0.0" ? d.gateway : "none";
  return `from ${d.server}: gateway ${gw}, dns ${d.dns.length ? d.dns.join(" ") : "none"}, ${lease}`;
}

/** "198.18.0.120/24 from 198.18.0.1: gateway …" */
export const leaseLine = (d: DhcpInfo): string => `${d.address}/${d.prefix} ${leaseTerms(d)}`;

/** The status page's lease block (plain text lines) and its JSON form. */
export function leaseBlock(d: DhcpInfo): string[] {
  return [
    `dhcp: ${d.stateName}${d.server !== "0.0.0.0" ? ` (server ${d.server})` : ""}`,
    `  address   ${d.address === "0.0.0.0" ? "none" : `${d.address}/${d.prefix}`}`,
    `  gateway   ${d.gateway === "0.0.0.0" ? "none" : d.gateway}`,
    `  dns       ${d.dns.length ? d.dns.join(" ") : "none"}`,
    `  lease     ${d.leaseSeconds ? `${d.leaseSeconds} s, expires in ${seconds(d.leaseLeftMs)}` : "none"}`,
    `  T1        ${d.leaseSeconds ? `in ${seconds(d.t1Ms)}` : "-"}`,
    `  T2        ${d.leaseSeconds ? `in ${seconds(d.t2Ms)}` : "-"}`,
  ];
}

export function leaseJson(d: DhcpInfo): Record<string, unknown> {
  const ms = (x: number): number | null => (x === Infinity ? null : x);
  return {
    state: d.stateName, address: d.address, prefix: d.prefix, gateway: d.gateway, server: d.server, dns: d.dns,
    leaseSeconds: d.leaseSeconds, t1Ms: ms(d.t1Ms), t2Ms: ms(d.t2Ms), expiresMs: ms(d.leaseLeftMs),
  };
}

/**
 * Call `onLease(info, first)` each time the client reaches BOUND (first: the first lease), and
 * `onChange(line)` with one line for the other changes that matter to a user: RENEWING (T1),
 * REBINDING (T2: the server did not answer), and the loss of the address (a NAK or the lease
 * expired). Returns a function that stops watching.
 */
export function watchLease(petrel: PetrelStack, onLease: (d: DhcpInfo, first: boolean) => void, onChange: (line: string) => void): () => void {
  let held: string | null = null;
  let leases = 0;
  let last = "";
  const handler = (e: CoreEvent): void => {
    if (e.name !== "DHCP_STATE") return;
    const d = petrel.dhcp();
    if (!d) return;
    const state = DHCP_STATE_NAMES[e.handle] ?? d.stateName; // this event's state (later ones may be queued)
    if (state === last) return;
    const was = last;
    last = state;
    if (state === "BOUND") {
      held = d.address;
      onLease(d, leases++ === 0);
    } else if (state === "RENEWING") {
      onChange(`renewing the lease of ${d.address} with ${d.server} (T1)`);
    } else if (state === "REBINDING") {
      onChange(`rebinding: ${d.server} did not answer the renewal; asking any server for ${d.address} (T2)`);
    } else if (held && (state === "INIT" || state === "SELECTING" || state === "STOPPED" || state === "REBOOTING")) {
      onChange(`lost the address ${held} (${was === "RENEWING" ? "the server refused the renewal: DHCPNAK" : "the lease expired, or a DHCPNAK"}); asking for a new lease`);
      held = null;
    }
  };
  petrel.stack.on("event", handler);
  return () => petrel.stack.off("event", handler);
}

/** Resolves with the first lease; rejects after `timeoutMs` with code ETIMEDOUT. */
export function waitForLease(petrel: PetrelStack, device: string, timeoutMs: number): Promise<DhcpInfo> {
  const now = petrel.dhcp();
  if (now?.stateName === "BOUND") return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const stop = watchLease(petrel, (d) => {
      clearTimeout(timer);
      stop();
      resolve(d);
    }, () => {});
    const timer = setTimeout(() => {
      stop();
      reject(Object.assign(new Error(`no DHCP lease on ${device} within ${timeoutMs} ms (no server answered)`), { code: "ETIMEDOUT" }));
    }, timeoutMs);
  });
}
