// A connection of the core's own (TF.CORE, the resolver's DNS over TCP): its state changes push no
// event, its handle answers no ABI call, and reaching CLOSED keeps the slot (with its error) until
// its owner lets go — unless the owner already did (ORPHAN).
import { Err } from "../../../assembly/errors";
import { eventsInit, eventPop, Ev } from "../../../assembly/storage/events";
import { TF, setState, tcbClose, tcbFromHandle, tcbHandle } from "../../../assembly/tcp/tcb";
import { State } from "../../../assembly/tcp/state";
import { freshTcb } from "./fixtures";

describe("the core's own connection (TF.CORE)", () => {
  it("setState pushes no STATE event for it, and tcbFromHandle refuses its handle", () => {
    const t = freshTcb();
    eventsInit();
    const h = tcbHandle(t);
    expect(tcbFromHandle(h)).not.toBeNull();
    setState(t, State.SYN_SENT);
    expect(eventPop()).toBe(Ev.STATE);                 // an ordinary connection's change is seen
    t.flags |= TF.CORE;
    setState(t, State.ESTABLISHED);
    expect(eventPop()).toBe(0);
    expect(tcbFromHandle(h)).toBeNull();
  });
  it("RFC 9293 \"delete the TCB\": CLOSED keeps its slot and error until its owner releases it; an orphaned one is freed", () => {
    const t = freshTcb();
    eventsInit();
    t.flags |= TF.CORE;
    t.state = State.ESTABLISHED;
    tcbClose(t, Err.ECONNRESET);
    expect(t.flags & TF.IN_USE).toBe(TF.IN_USE);
    expect(t.state).toBe(State.CLOSED);
    expect(t.err).toBe(Err.ECONNRESET);
    expect(eventPop()).toBe(0);                         // no ERROR, no CLOSED for the host
    const u = freshTcb();
    u.flags |= TF.CORE | TF.ORPHAN;
    u.state = State.LAST_ACK;
    tcbClose(u, 0);
    expect(u.flags & TF.IN_USE).toBe(0);
  });
});
