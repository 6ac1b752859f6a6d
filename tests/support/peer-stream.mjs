// Shared by the kernel-side peer scripts (tests/interop/peers/kernel.mjs, tests/boards/peer.mjs),
// which run as plain `node` inside a test's network namespace.
import { randomBytes } from "node:crypto";

/** A random 1 MiB block, repeated to make a fast pseudo-random stream. */
export const BLOCK = randomBytes(1 << 20);

/** Write `total` bytes of BLOCK repeated (hashed into h when given), with backpressure; then done(). */
export function writeBytes(sock, total, h, done) {
  let off = 0;
  const pump = () => {
    while (off < total) {
      const n = Math.min(64 * 1024, total - off);
      const start = off % BLOCK.length;
      const chunk = start + n <= BLOCK.length ? BLOCK.subarray(start, start + n) : Buffer.concat([BLOCK.subarray(start), BLOCK.subarray(0, start + n - BLOCK.length)]);
      h?.update(chunk);
      off += n;
      if (!sock.write(chunk)) return void sock.once("drain", pump);
    }
    done();
  };
  pump();
}
