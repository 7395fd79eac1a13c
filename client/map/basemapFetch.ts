import { ApiError, ClientErrorCode } from '../api/ApiError.js';
import { errorText } from '../api/errorText.js';
import { t } from '../i18n/i18n.js';

/** A base-map file the server answered with an HTTP error: which file and the status, for the words. */
export class BasemapHttpError extends Error {
  constructor(
    readonly file: string,
    readonly status: number,
    url: string,
  ) {
    super(`${url}: HTTP ${status}`);
    this.name = 'BasemapHttpError';
  }
}

/**
 * One of the base map's GeoJSON files. Fails with a BasemapHttpError on an HTTP error and with an ApiError
 * `network_error` when the server cannot be reached, so the failure can be worded in the page's language.
 */
export async function getBasemapJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new ApiError(ClientErrorCode.NETWORK, `${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new BasemapHttpError(url.split('?')[0]!.split('/').pop()!, res.status, url);
  return (await res.json()) as T;
}

/** A base-map load failure in the page's language (the file and status of an HTTP error, else as errorText says). */
export function basemapErrorText(err: unknown): string {
  if (err instanceof BasemapHttpError) return t('map.basemapHttp', { file: err.file, status: String(err.status) });
  return errorText(err);
}
