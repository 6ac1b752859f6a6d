// The static server of `npm run web` (scripts/serve-web.mjs): files of its folder with their types,
// nothing outside it, and a one-line error for a bad --port.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic } from "../../scripts/serve-web.mjs";

/** GET a raw path (not normalised by a URL parser): status and content-type. */
function get(base: string, path: string, method = "GET"): Promise<{ status: number; type: string; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, type: String(res.headers["content-type"] ?? ""), body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

test("serveStatic: index.html for /, wasm as application/wasm, 404 for a missing file, nothing outside the folder, 405 for POST", async () => {
  const root = mkdtempSync(join(tmpdir(), "petrel-serve-"));
  const dir = join(root, "site");
  mkdirSync(dir);
  writeFileSync(join(dir, "index.html"), "<p>hi</p>");
  writeFileSync(join(dir, "m.wasm"), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(root, "secret.txt"), "secret");
  const { server, url } = await serveStatic(dir);
  try {
    assert.deepEqual(await get(url, "/"), { status: 200, type: "text/html; charset=utf-8", body: "<p>hi</p>" });
    assert.equal((await get(url, "/m.wasm")).type, "application/wasm");
    assert.equal((await get(url, "/nope.js")).status, 404);
    for (const p of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt"]) {
      const r = await get(url, p);
      assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`); // dot segments resolve inside the folder, an encoded "/" is refused
      assert.ok(!r.body.includes("secret"), p);
    }
    assert.equal((await get(url, "/..%2fsecret.txt")).status, 403, "a path leaving the folder is refused");
    assert.equal((await get(url, "/", "POST")).status, 405);
  } finally {
    server.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test("npm run web -- --port with a bad value: one line naming the option and the range, exit 2, no stack trace", () => {
  const r = spawnSync(process.execPath, ["scripts/serve-web.mjs", "--port", "http"], { cwd: new URL("../..", import.meta.url).pathname, encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "web: --port must be an integer 0–65535 (got http)\n");
});
