// Standalone entry of `petrel sim transfer` (works without the `petrel` dispatcher):
//   node --import tsx scripts/sim-transfer.ts --seed 1 --bytes 256K --loss 0.02
//   npm run -s sim -- transfer --seed 1 --bytes 256K --loss 0.02
// A first argument "transfer" is optional.
import { simMain } from "../host/cli/sim.ts";

const argv = process.argv.slice(2);
process.exitCode = await simMain(argv[0] === "transfer" || argv[0] === "help" ? argv : ["transfer", ...argv]);
