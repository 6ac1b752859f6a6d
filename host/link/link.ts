// The link abstraction (smoltcp's phy::Device / gVisor's LinkEndpoint, reduced to two calls):
// a stack sends frames down with send() and receives frames through the handlers given to onFrame().
// Middleware (FaultLink, PcapLink, TraceLink) wraps any Link and is itself a Link.

export type FrameHandler = (frame: Uint8Array) => void;

export interface FrameHandlerOptions {
  /**
   * The handler copies whatever it keeps of a frame before it returns (a stack copies the frame
   * into its core at once): the link may then pass it a view of a buffer that it reuses afterwards.
   * Without it every frame a handler gets is its to keep.
   */
  transient?: boolean;
}

export interface Link {
  /** Send one Ethernet frame (no FCS). The link may keep the array: pass a copy you won't reuse. */
  send(frame: Uint8Array): void;
  /**
   * Optional: send the frame at buffer[offset, offset + length), which its owner overwrites once
   * this returns (a core's tx buffer). The link copies what it keeps, so the sender makes no copy.
   */
  sendFrom?(buffer: ArrayBufferLike, offset: number, length: number): void;
  /** Register a handler for frames arriving from the link. */
  onFrame(cb: FrameHandler, opts?: FrameHandlerOptions): void;
  /**
   * Optional: the receiver has work for the application that must run before more frames are
   * taken (a peer's FIN to answer with the app's close, a connection to accept, a slot to free):
   * a link that reads frames in bursts ends the current burst after this frame and reads the rest
   * on its next wake-up, once Node has run the callbacks the frame caused. A link without bursts
   * ignores it.
   */
  endBurst?(): void;
  /**
   * Optional: `cb` runs after each batch of frames the link hands up in one go (a TAP read of up to
   * 32 frames). A receiver that has work to do after frames arrive (a Stack's poll and event
   * dispatch) does it once per batch instead of once per frame. A link that offers it hands up
   * every frame inside a batch.
   */
  onBatchEnd?(cb: () => void): void;
}

/** Fan-out helper for the receive side. */
export class Handlers {
  private list: FrameHandler[] = [];
  /** Whether every handler takes transient frames (FrameHandlerOptions); false while there is none. */
  transient = false;
  private keepers = 0;
  add(cb: FrameHandler, opts?: FrameHandlerOptions): void {
    this.list.push(cb);
    if (!opts?.transient) this.keepers++;
    this.transient = this.keepers === 0;
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

  endBurst(): void {
    this.inner.endBurst?.();
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
