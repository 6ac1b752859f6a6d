#!/usr/bin/env node
// The `petrel` command: registers tsx (TypeScript loader) in this process and runs host/cli/cli.ts.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../host/cli/cli.ts");
process.exitCode = await main(process.argv.slice(2));
