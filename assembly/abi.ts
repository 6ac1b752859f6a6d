// Host imports (module "petrel"). Nothing else is imported: see docs/abi.md.

/** Send one Ethernet II frame of `len` bytes at `ptr`. */
// @ts-ignore: decorator
@external("petrel", "tx") export declare function hostTx(ptr: usize, len: i32): void;
/** An unreachable state. The host must not return. */
// @ts-ignore: decorator
@external("petrel", "panic") export declare function hostPanic(code: i32, line: i32): void;

@inline export const PANIC_ABORT: i32 = 1;

/** AssemblyScript's abort(), remapped here by asconfig.json (`use: abort=assembly/abi/onAbort`). */
export function onAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  hostPanic(PANIC_ABORT, <i32>line);
  unreachable();
}
