// Types for scripts/readme.mjs (imported by tests/build/readme.test.ts).
export type Results = Record<string, any>;
export type MemoryMap = Record<string, { wasmBytes: number; pages: number; memoryBytes: number; usedBytes: number; regions: { region: string; start: number; bytes: number }[] }>;
export const generators: Record<string, (results: Results, map: MemoryMap) => string>;
export function num(x: number | undefined, digits?: number): string;
export function regenerate(readme: string, results: Results, map: MemoryMap): string;
export function load(): { readme: string; results: Results; map: MemoryMap };
