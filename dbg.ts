import { runTransfer } from "./host/transfer.ts";
let last = "";
runTransfer({ seed: 4186, bytes: 256*1024, loss: 0.1732, dup: 0.0226, corrupt: 0.0101, delay: 0.5, jitter: 3, profile: "tiny", sack: false, timestamps: false, wscale: false, onStep: (run) => {
  const i = run.info.server; if (!i) return;
  const t = run.net.now/1000; if (t < 239.7 || t > 240.5) return;
  const s = `una ${i.sndUna} nxt ${i.sndNxt} max ${i.sndMax} wnd ${i.sndWnd} cwnd ${i.cwnd} tx ${i.txQueued} rto ${i.rtoMs} state ${i.stateName}`;
  if (s !== last) { console.log(t.toFixed(6), s); last = s; }
}});
