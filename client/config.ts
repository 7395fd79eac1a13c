import { ClientConfig } from '../models/ClientConfig.js';
import { PROTOCOL_VERSION } from '../models/protocol.js';
import { ApiError, ClientErrorCode, getJson } from './api/ApiError.js';

/** What the client runs with when the server cannot tell it: the offline globe and this build's protocol. */
export const FALLBACK_CONFIG: ClientConfig = { protocolVersion: PROTOCOL_VERSION };

/** Loads `GET /api/v1/config`; a config that fails its schema is an error naming the field. */
export async function fetchClientConfig(baseUrl = ''): Promise<ClientConfig> {
  const body = await getJson(`${baseUrl}/api/v1/config`);
  const r = ClientConfig.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ApiError(ClientErrorCode.BAD_RESPONSE, `Bad client config: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
