// Types for scripts/conformance.mjs (imported by tests/build/docs.test.ts).
export interface ConformanceRow { req: string; feature: string; status: string; test: string }
export interface ConformanceTable { rfc: string; rows: ConformanceRow[] }
export function parseTables(md: string): ConformanceTable[];
export function derive(md: string): { counts: string; untested: string };
export function regenerate(md: string): string;
