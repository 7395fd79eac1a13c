/** What PulseFrames needs of a Cesium Scene (a stand-in in unit tests). */
export interface PulseScene {
  requestRender(): void;
  postRender: { addEventListener(listener: () => void): () => void };
}

/**
 * Frames for a slow animation that runs as long as a state lasts (an alarm's glow or pulse), in render-on-demand
 * mode: at most one every `minMs`, and never more than `share` of the renderer's time. A GPU draws a frame in a few
 * ms and the pulse runs at 1000 / minMs frames a second; software WebGL at a wall's 4K or a busy 1080p takes seconds a
 * frame, and a pulse asking for the next frame at once kept such a page drawing without a pause for as long as the
 * alarm stood (0.3-0.5 frames a second at rest, tiles and the other pages starved). Each frame's cost is measured
 * from the request to the frame drawn.
 */
export class PulseFrames {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private requestedAt = 0;
  private costMs = 0;
  private readonly off: () => void;

  constructor(
    private readonly scene: PulseScene,
    private readonly minMs: number,
    private readonly share = 0.25,
  ) {
    this.off = scene.postRender.addEventListener(() => {
      if (!this.requestedAt) return;
      const c = performance.now() - this.requestedAt;
      this.requestedAt = 0;
      // A smoothed cost: one slow frame (a tile burst) stretches the next pause, a run of them the pauses after.
      this.costMs = this.costMs ? 0.6 * this.costMs + 0.4 * c : c;
    });
  }

  /** The wait before the next pulse frame, ms. */
  get delayMs(): number {
    return Math.max(this.minMs, (this.costMs * (1 - this.share)) / this.share);
  }

  /** Asks for the next pulse frame (once: more calls before it is drawn change nothing). */
  request(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.requestedAt = performance.now();
      this.scene.requestRender();
    }, this.delayMs);
  }

  /** No pulse frame pending (the animation ended). */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.cancel();
    this.off();
  }
}
