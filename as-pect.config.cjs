// as-pect (unit tests of assembly/, tests/unit/**/*.spec.ts): `npm run test:unit`.
// The tests import the real assembly/ sources. as-pect needs a managed runtime for its own
// bookkeeping (as-pect.asconfig.json: incremental); the core under test still allocates nothing
// and lays its regions out with regionAlloc in pages the test helpers grow for it
// (tests/unit/helpers.ts). Host imports: `petrel.tx` records every frame so a test can read it back
// (`testhost.*`), `petrel.panic` throws.
module.exports = {
  entries: ["tests/unit/**/*.spec.ts"],
  include: [],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    let instance;
    const frames = [];
    const mem = () => new Uint8Array(instance.exports.memory.buffer);
    const imports = {
      petrel: {
        tx(ptr, len) { frames.push(mem().slice(ptr, ptr + len)); },
        panic(code, line) { throw new Error(`petrel panic ${code} at line ${line}`); },
      },
      testhost: {
        txCount() { return frames.length; },
        txLen(i) { return i >= 0 && i < frames.length ? frames[i].length : -1; },
        txCopy(i, dst) {
          if (i < 0 || i >= frames.length) return -1;
          mem().set(frames[i], dst);
          return frames[i].length;
        },
        txClear() { frames.length = 0; },
      },
    };
    instance = await instantiate(binary, createImports(imports));
    return instance;
  },
  outputBinary: false,
};
