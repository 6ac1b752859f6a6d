// The simulator as one import, for a browser page (bundled with esbuild, platform "browser") as for
// Node: cores, stacks, links, the virtual clock, packets and traces, transfers and their graph.
// A page provides the compiled modules first (provideModule); under Node they are read from build/.
export { ABI, CONFIG_NAMES, Errno, Ev, State, type EvName, type StateName } from "../abi.ts";
export { Core, CorePanic, TCP_INFO_FLAGS, TCP_INFO_WORDS, provideModule, type CoreOptions, type Profile, type TcpInfo } from "../core.ts";
export { BandwidthLink } from "../link/bandwidth.ts";
export { ChannelLink } from "../link/channel.ts";
export { FaultLink, type FaultDecision, type FaultSettings } from "../link/fault.ts";
export type { Link } from "../link/link.ts";
export { PcapLink, TraceLink } from "../link/pcap.ts";
export { Switch } from "../link/switch.ts";
export { flagsToString, parseFrame, segLen, type ParsedFrame, type TcpSegment } from "../packet/packet.ts";
export { PcapWriter, readPcap } from "../packet/pcap.ts";
export { describeFrame, formatFrame, formatTime } from "../packet/trace.ts";
export { Conn, Listener, PetrelError, Stack, type StateTransition } from "../stack/stack.ts";
export { BoundError, Clock } from "../time/clock.ts";
export { Prng } from "../time/prng.ts";
export { describeRun, formatBytes, parseSize, reproduceCommand } from "./describe.ts";
export { faultMix, transferTimeBound } from "./fault-mix.ts";
export { InvariantChecker, InvariantError } from "./invariants.ts";
export { Peer } from "./peer.ts";
export { renderTimeSequenceSvg, type SeqPlotData } from "./plot.ts";
export { SeqRecorder } from "./seq-recorder.ts";
export { SimNet, type HostOptions, type SimNetOptions, type WireFrame } from "./sim.ts";
export { CLIENT_IP, SERVER_IP, SERVER_PORT, runTransfer, runTransferOutput, type TransferOptions, type TransferOutput, type TransferResult, type TransferRun } from "./transfer.ts";
