import { ClientConfig } from '../models/ClientConfig.js';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import { api } from '../models/api/index.js';
import { ApiError, ClientErrorCode } from './api/ApiError.js';
import { restAt } from './api/ApiClient.js';

/** What the client runs with when the server cannot tell it: the offline globe and this build's protocol. */
export const FALLBACK_CONFIG: ClientConfig = { protocolVersion: PROTOCOL_VERSION };

/** Loads the client config (`api.system.config`); a config that fails its schema is an error naming the field. */
export async function fetchClientConfig(baseUrl = ''): Promise<ClientConfig> {
  const body = await restAt(baseUrl).raw(api.system.config);
  const r = ClientConfig.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ApiError(
      ClientErrorCode.BAD_RESPONSE,
      `Bad client config: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return r.data;
}
