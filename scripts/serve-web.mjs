#!/usr/bin/env node
// `npm run web`: builds the browser simulator (scripts/build-web.mjs; the core too when build/ has
// no wasm yet) and serves build/web/ with a tiny static server on 127.0.0.1. Prints the URL.
//   npm run web -- --port 8080      (default 8080; 0 picks a free port)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";
import { parseArgs } from "node:util";
import { buildWeb, OUT } from "./build-web.mjs";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".map": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
};

/** Serve the files under `dir` (GET/HEAD only, no directory listings, nothing outside `dir`). Resolves with the server and its URL. */
export function serveStatic(dir, { port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? path + "index.html" : path));
    if ((req.method !== "GET" && req.method !== "HEAD") || !(file + sep).startsWith(dir + sep) && file !== dir) {
      res.writeHead(req.method === "GET" || req.method === "HEAD" ? 403 : 405).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-cache" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({ server, url: `http://${host}:${a.port}/` });
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { port: { type: "string", default: process.env.PORT ?? "8080" } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`web: --port must be an integer 0–65535 (got ${values.port})`);
    process.exit(2);
  }
  try {
    await buildWeb({ ifNeeded: true, quiet: true });
    const { url } = await serveStatic(OUT, { port });
    console.log(`Petrel simulator: ${url}  (Ctrl-C stops)`);
  } catch (e) {
    console.error(`web: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
