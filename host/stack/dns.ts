// Name resolution through Petrel's own stub resolver (the core's dns_* calls, docs/abi.md "DNS"),
// never the operating system's: resolve(stack, name) sends the query from the stack's address to
// its DNS servers (set with Core.dnsServer, or the DHCP lease's) and settles with the addresses, or
// with a DnsError whose code names what went wrong (ENOTFOUND for NXDOMAIN, ESERVFAIL, EREFUSED,
// ENODATA, ETIMEDOUT, ENOTCONN when no server is configured; after a truncated reply, the retry
// over TCP's EMSGSIZE, ECONNREFUSED, ECONNRESET, EBADMSG). Runs anywhere (no node: import).
import type { CoreEvent } from "../core.ts";
import type { Stack } from "./stack.ts";

export interface DnsAnswer {
  name: string;
  /** IPv4 addresses in the order the server gave them. */
  addresses: string[];
  /** Seconds the answer stays valid (the smallest TTL of the records used, capped by the core). */
  ttl: number;
}

const MESSAGES: Record<string, string> = {
  ENOTFOUND: "no such name (NXDOMAIN)",
  ESERVFAIL: "the DNS server failed (SERVFAIL)",
  EREFUSED: "the DNS server refused the query (REFUSED)",
  ENODATA: "the name has no IPv4 address",
  ETIMEDOUT: "no answer from the DNS server",
  ELOOP: "too many CNAME records",
  EMSGSIZE: "the answer is too long (over TCP, after a truncated reply)",
  ECONNREFUSED: "the DNS server refused TCP (after a truncated reply)",
  ECONNRESET: "the DNS server reset or closed TCP before the whole answer",
  EBADMSG: "the DNS server's answer over TCP was not for our query",
  ENOTCONN: "no DNS server configured",
  EINVAL: "not a valid host name",
  EMFILE: "too many queries at once",
  EOPNOTSUPP: "this core was built without the resolver",
};

/** A failed resolution: `code` is the core's error name, `message` one line for a person. */
export class DnsError extends Error {
  constructor(readonly code: string, readonly errno: number, readonly hostname: string) {
    super(`resolve ${hostname}: ${MESSAGES[code] ?? code} (${code})`);
    this.name = "DnsError";
  }
}

/** Resolve `name` to IPv4 addresses with the stack's core. */
export function resolve(stack: Stack, name: string): Promise<DnsAnswer> {
  const core = stack.core;
  const EAGAIN = core.errorCode("EAGAIN");
  return new Promise((ok, fail) => {
    let q = -1;
    let settled = false;
    const finish = (): void => {
      if (settled || q < 0) return;
      const r = core.dnsResult(q);
      if (r === EAGAIN) return;
      settled = true;
      stack.off("event", onEvent);
      core.dnsClose(q);
      if (typeof r === "number") fail(new DnsError(core.errorName(r), r, name));
      else ok({ name, addresses: r.addresses, ttl: r.ttl });
    };
    const onEvent = (e: CoreEvent): void => {
      if (e.name === "DNS_RESULT" && e.handle === q) finish();
    };
    stack.on("event", onEvent);
    q = stack.call((c) => c.dnsQuery(name, stack.clock.now));
    if (q < 0) {
      settled = true;
      stack.off("event", onEvent);
      fail(new DnsError(core.errorName(q), q, name));
      return;
    }
    finish(); // an answer from the cache is there at once
  });
}
