// The link abstraction (smoltcp's phy::Device / gVisor's LinkEndpoint, reduced to two calls):
// a stack sends frames down with send() and receives frames through the handlers given to onFrame().
// Middleware (FaultLink, PcapLink, TraceLink) wraps any Link and is itself a Link.

export type FrameHandler = (frame: Uint8Array) => void;

export interface Link {
  /** Send one Ethernet frame (no FCS). The link may keep the array: pass a copy you won't reuse. */
  send(frame: Uint8Array): void;
  /** Register a handler for frames arriving from the link. */
  onFrame(cb: FrameHandler): void;
}

/** Fan-out helper for the receive side. */
export class Handlers {
  private list: FrameHandler[] = [];
  add(cb: FrameHandler): void {
    this.list.push(cb);
  }
  emit(frame: Uint8Array): void {
    for (const cb of this.list) cb(frame);
  }
  get size(): number {
    return this.list.length;
  }
}

/** Base for middleware: passes frames through both ways; override `down`/`up`. */
export class Middleware implements Link {
  protected handlers = new Handlers();

  constructor(protected readonly inner: Link) {
    inner.onFrame((f) => this.up(f));
  }

  send(frame: Uint8Array): void {
    this.down(frame);
  }

  onFrame(cb: FrameHandler): void {
    this.handlers.add(cb);
  }

  /** A frame going from the stack toward the wire. */
  protected down(frame: Uint8Array): void {
    this.inner.send(frame);
  }

  /** A frame coming from the wire toward the stack. */
  protected up(frame: Uint8Array): void {
    this.handlers.emit(frame);
  }
}
