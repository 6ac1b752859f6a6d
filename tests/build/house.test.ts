// The shape of the source tree (docs: /ARCHITECTURE.md "Layers"): no import cycle in assembly/ or
// host/, the core's layers import only downwards, and no file or function grows past what a reader
// can hold (600 lines a file, 150 a function). The import graph comes from TypeScript's own
// preprocessor and module resolution; sizes from its syntax tree.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { test } from "node:test";
import ts from "typescript";

const ROOT = join(dirname(new URL(import.meta.url).pathname), "..", "..");
const FILE_LINES = 600;
const FUNCTION_LINES = 150;

/** Every .ts file under `dir` (absolute paths), declaration files aside. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}

const rel = (p: string): string => relative(ROOT, p).split(sep).join("/");

// host/ resolves as tsconfig.json says (NodeNext, package.json "imports"); assembly/ as the
// AssemblyScript compiler does (extensionless relative paths).
const hostOptions = ts.parseJsonConfigFileContent(ts.readConfigFile(join(ROOT, "tsconfig.json"), ts.sys.readFile).config, ts.sys, ROOT).options;
const assemblyOptions: ts.CompilerOptions = { moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext, allowImportingTsExtensions: true, noEmit: true };

type Edge = { from: string; to: string; spec: string };

/** The imports (and re-exports) of every file in `dir` that resolve to a file in `dir`. */
function importGraph(dir: string, options: ts.CompilerOptions): { files: string[]; edges: Edge[] } {
  const files = sources(dir);
  const inside = new Set(files);
  const edges: Edge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(readFileSync(from, "utf8"), true, true);
    for (const imp of info.importedFiles) {
      const r = ts.resolveModuleName(imp.fileName, from, options, ts.sys).resolvedModule;
      if (r && inside.has(r.resolvedFileName)) edges.push({ from, to: r.resolvedFileName, spec: imp.fileName });
    }
  }
  return { files, edges };
}

/** The strongly connected components with more than one file, or a file that imports itself
 *  (Tarjan), each as a readable cycle a → b → … → a. */
function cycles(files: string[], edges: Edge[]): string[] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)!.push(e.to);
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); onStack.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const scc: string[] = [];
    let w: string;
    do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== v);
    if (scc.length > 1 || next.get(v)!.includes(v)) found.push(scc);
  };
  for (const f of files) if (!index.has(f)) visit(f);
  // name one cycle through each component: a path from its first file back to it
  return found.map((scc) => {
    const members = new Set(scc);
    const start = scc.sort()[0]!;
    const path = [start];
    const seen = new Set([start]);
    let at = start;
    for (;;) {
      const succ = next.get(at)!.filter((w) => members.has(w));
      if (succ.includes(start)) break;
      const step = succ.find((w) => !seen.has(w)) ?? succ[0]!;
      path.push(step); seen.add(step); at = step;
      if (path.length > scc.length) break;
    }
    return [...path, start].map(rel).join(" → ");
  });
}

// The core's layers, lowest first (ARCHITECTURE.md): each may import itself and the layers its
// row names, nothing else. "base" is the core's shared definitions (sizes, errnos, the clock's
// arithmetic, the host imports); counters.ts is a fixed region like storage's.
const LAYER_OF_FILE: Record<string, string> = {
  "config.ts": "base", "errors.ts": "base", "time.ts": "base", "abi.ts": "base",
  "counters.ts": "storage", "index.ts": "top",
};
const MAY_IMPORT: Record<string, string[]> = {
  base: [],
  wire: ["base"],
  storage: ["base"],
  iface: ["base", "wire", "storage"],
  tcp: ["base", "wire", "storage", "iface"],
  udp: ["base", "wire", "storage", "iface"],
  dhcp: ["base", "wire", "storage", "iface", "udp"],
  dns: ["base", "wire", "storage", "iface", "udp", "tcp"],
  socket: ["base", "wire", "storage", "iface", "tcp", "udp", "dhcp", "dns"],
  top: ["base", "wire", "storage", "iface", "tcp", "udp", "dhcp", "dns", "socket"],
};

/** The layer of a file under assembly/: its folder, or the table above for the top-level files. */
function layerOf(file: string): string | undefined {
  const path = relative(join(ROOT, "assembly"), file).split(sep);
  return path.length === 1 ? LAYER_OF_FILE[path[0]!] : path[0];
}

/** Imports that go against the layer order, or files in no known layer. */
function layerViolations(files: string[], edges: Edge[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const l = layerOf(f);
    if (l === undefined || !(l in MAY_IMPORT)) bad.push(`${rel(f)}: in no layer of tests/build/house.test.ts (add its folder to the table, in its place)`);
  }
  for (const e of edges) {
    const a = layerOf(e.from), b = layerOf(e.to);
    if (a === undefined || b === undefined || a === b || !(a in MAY_IMPORT)) continue;
    if (!MAY_IMPORT[a]!.includes(b)) bad.push(`${rel(e.from)} (${a}) imports ${rel(e.to)} (${b}) via "${e.spec}"`);
  }
  return bad;
}

/** Files over FILE_LINES lines and functions over FUNCTION_LINES lines (declarations, methods,
 *  accessors, constructors, function expressions and arrow functions with a body). */
function oversized(files: string[]): string[] {
  return files.flatMap((f) => oversizedIn(rel(f), readFileSync(f, "utf8")));
}

function oversizedIn(name: string, text: string): string[] {
  const out: string[] = [];
  const sf = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > FILE_LINES) out.push(`${name}: ${lines} lines (> ${FILE_LINES})`);
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && "body" in n && n.body) {
      const first = sf.getLineAndCharacterOfPosition(n.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const span = last - first + 1;
      if (span > FUNCTION_LINES) out.push(`${name}:${first + 1}: function ${functionName(n)} has ${span} lines (> ${FUNCTION_LINES})`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

function functionName(n: ts.SignatureDeclaration): string {
  if (n.name && ts.isIdentifier(n.name)) return n.name.text;
  const p = n.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p) && ts.isIdentifier(p.name)) return p.name.text;
  return "(anonymous)";
}

const assembly = importGraph(join(ROOT, "assembly"), assemblyOptions);
const host = importGraph(join(ROOT, "host"), hostOptions);

test("the import graphs are read (a resolver that finds nothing would pass everything)", () => {
  const has = (g: { edges: Edge[] }, from: string, to: string): boolean => g.edges.some((e) => rel(e.from) === from && rel(e.to) === to);
  assert.ok(has(assembly, "assembly/index.ts", "assembly/socket/api.ts"), "assembly/index.ts → socket/api.ts");
  assert.ok(has(assembly, "assembly/tcp/input.ts", "assembly/tcp/state.ts"), "assembly/tcp/input.ts → tcp/state.ts");
  assert.ok(host.edges.length > host.files.length / 2, `host/ has ${host.edges.length} imports among ${host.files.length} files`);
});

test("the checks catch what they are for (a cycle, an upward import, a long function)", () => {
  const [a, b, c] = ["assembly/tcp/a.ts", "assembly/tcp/b.ts", "assembly/wire/c.ts"].map((p) => join(ROOT, p)) as [string, string, string];
  assert.deepEqual(cycles([a, b, c], [{ from: a, to: b, spec: "./b" }, { from: b, to: a, spec: "./a" }, { from: b, to: c, spec: "../wire/c" }]),
    ["assembly/tcp/a.ts → assembly/tcp/b.ts → assembly/tcp/a.ts"]);
  assert.deepEqual(layerViolations([a, c], [{ from: c, to: a, spec: "../tcp/a" }]),
    [`assembly/wire/c.ts (wire) imports assembly/tcp/a.ts (tcp) via "../tcp/a"`]);
  const fn = (name: string, body: number): string => `function ${name}(): void {\n${"  g();\n".repeat(body)}}\n`;
  assert.deepEqual(oversizedIn("x.ts", fn("ok", FUNCTION_LINES - 2) + "const h = (): void => {\n" + "  g();\n".repeat(FUNCTION_LINES - 1) + "};\n"),
    ["x.ts:" + (FUNCTION_LINES + 1) + ": function h has " + (FUNCTION_LINES + 1) + " lines (> " + FUNCTION_LINES + ")"]);
  assert.deepEqual(oversizedIn("y.ts", "//\n".repeat(FILE_LINES)), []);
  assert.deepEqual(oversizedIn("y.ts", "//\n".repeat(FILE_LINES + 1)), [`y.ts: ${FILE_LINES + 1} lines (> ${FILE_LINES})`]);
});

test("assembly/: no import cycle", () => {
  assert.deepEqual(cycles(assembly.files, assembly.edges), []);
});

test("host/: no import cycle", () => {
  assert.deepEqual(cycles(host.files, host.edges), []);
});

test("assembly/: lower layers never import upper ones (wire < storage < iface < tcp, udp < dhcp, dns < socket < index.ts)", () => {
  assert.deepEqual(layerViolations(assembly.files, assembly.edges), []);
});

test(`assembly/: no file over ${FILE_LINES} lines, no function over ${FUNCTION_LINES}`, () => {
  assert.deepEqual(oversized(assembly.files), []);
});

test(`host/: no file over ${FILE_LINES} lines, no function over ${FUNCTION_LINES}`, () => {
  assert.deepEqual(oversized(host.files), []);
});
