/**
 * A short two-tone beep through WebAudio for a new alarm. Off until the user turns the sound on (browsers only allow
 * audio after a gesture anyway, and a wall that beeps unasked is switched off by the first person near it).
 */
export class Beep {
  private ctx: AudioContext | null = null;
  private _on = false;

  get on(): boolean {
    return this._on;
  }

  /** Turns the sound on or off; turning it on is a user gesture, so the audio context is created here. */
  set on(v: boolean) {
    this._on = v;
    if (v && !this.ctx && typeof AudioContext !== 'undefined') this.ctx = new AudioContext();
    if (v) void this.ctx?.resume();
  }

  /** Plays one beep: higher and longer for an alarm than for a pre-warning. */
  play(level: 'prewarning' | 'alarm'): void {
    if (!this._on || !this.ctx) return;
    const c = this.ctx;
    const t = c.currentTime;
    const tones = level === 'alarm' ? [880, 660, 880] : [660];
    tones.forEach((f, i) => {
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = 'square';
      osc.frequency.value = f;
      gain.gain.setValueAtTime(0.0001, t + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.15, t + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.16);
      osc.connect(gain).connect(c.destination);
      osc.start(t + i * 0.18);
      osc.stop(t + i * 0.18 + 0.17);
    });
  }

  dispose(): void {
    void this.ctx?.close();
    this.ctx = null;
  }
}
