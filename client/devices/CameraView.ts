import { api } from '../../models/api/index.js';
import { CameraParams } from '../../models/Camera.js';
import { h } from '../ui/dom.js';
import { t } from '../i18n/i18n.js';

/** How often a snapshot-only camera's picture is fetched again. */
export const SNAPSHOT_REFRESH_MS = 2000;

/**
 * The server's own simulated streams are read like their camera (the session cookie must go along), and the URL the
 * server wrote names the host it was started on, which may not be the one this page came from (localhost against
 * 127.0.0.1 or a LAN name: another cookie jar, and another origin for the CSP): such a stream is loaded from this
 * page's origin. Other cameras' URLs are used as given.
 */
/** The path prefix of the simulated cameras (`…/sim/cameras/`), from the contract. */
const SIM_CAMERAS = api.simCameras.mjpeg.path.slice(0, api.simCameras.mjpeg.path.indexOf(':id'));

export function ownStream(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.pathname.startsWith(SIM_CAMERAS) ? u.pathname + u.search : url;
  } catch {
    return url;
  }
}

/**
 * A camera's picture in the device panel: MJPEG plays in an `<img>` (the browser decodes the multipart stream),
 * HLS through hls.js (or natively where the browser can), a snapshot URL is re-fetched every few seconds.
 */
export class CameraView {
  readonly root: HTMLElement;
  private timer: ReturnType<typeof setInterval> | undefined;
  private hls: { destroy(): void } | null = null;
  private disposed = false;

  constructor(params: Record<string, unknown>, online: boolean) {
    this.root = h('div', { class: 'camera-view', 'data-testid': 'camera-view' });
    const p = CameraParams.safeParse(params);
    if (!p.success || !p.data.streamUrl) {
      this.root.append(h('div', { class: 'camera-none' }, t('camera.noStream')));
      return;
    }
    const { streamUrl, streamKind } = p.data;
    this.root.dataset.kind = streamKind;
    if (!online) this.root.append(h('div', { class: 'camera-offline' }, t('camera.offline')));
    if (streamKind === 'mjpeg') {
      this.root.append(h('img', { src: ownStream(streamUrl), alt: t('camera.liveAlt'), 'data-testid': 'camera-img' }));
    } else if (streamKind === 'snapshot') {
      const img = h('img', { src: this.bust(streamUrl), alt: t('camera.snapshotAlt'), 'data-testid': 'camera-img' });
      this.root.append(img);
      this.timer = setInterval(() => (img.src = this.bust(streamUrl)), SNAPSHOT_REFRESH_MS);
    } else {
      const video = h('video', { muted: true, autoplay: true, playsinline: true, 'data-testid': 'camera-video' });
      video.muted = true;
      this.root.append(video);
      void this.playHls(video, streamUrl);
    }
  }

  private bust(url: string): string {
    return `${url}${url.includes('?') ? '&' : '?'}t=${Date.now()}`;
  }

  private async playHls(video: HTMLVideoElement, url: string): Promise<void> {
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      return;
    }
    // hls.js is large: loaded only when a HLS camera is opened.
    const { default: Hls } = await import('hls.js');
    if (this.disposed) return;
    if (!Hls.isSupported()) {
      this.root.append(h('div', { class: 'camera-none' }, t('camera.noHls')));
      return;
    }
    const hls = new Hls();
    hls.loadSource(url);
    hls.attachMedia(video);
    this.hls = hls;
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    this.hls?.destroy();
    // Dropping the src ends the MJPEG connection at once instead of when the element is collected.
    for (const img of this.root.querySelectorAll('img')) img.src = '';
    this.root.remove();
  }
}
