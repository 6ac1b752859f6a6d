export const root: string;
export const OUT: string;
export const PROFILES: string[];
export function buildWeb(o?: { ifNeeded?: boolean; quiet?: boolean }): Promise<string>;
