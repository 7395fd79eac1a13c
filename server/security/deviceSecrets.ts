import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

/** The secrets of a device as stored: hashes only. */
export interface DeviceSecrets {
  id: string;
  apiKeyHash: string;
  hj212PwHash?: string | null;
}

/** A new device API key: 32 random bytes, URL-safe, prefixed so a leaked key is recognisable in logs and scanners. */
export function newApiKey(): string {
  return `stk_${randomBytes(32).toString('base64url')}`;
}

/**
 * Hash of an API key. The key is 256 random bits, so a fast salted sha256 is as safe as a slow KDF here and keeps
 * per-request verification cheap on the ingest path.
 */
export function hashApiKey(key: string, salt = randomBytes(16)): string {
  return `sha256$${salt.toString('base64url')}$${createHash('sha256').update(salt).update(key).digest('base64url')}`;
}

/** Hash of an HJ 212 PW: vendors ship guessable defaults (123456), so it gets a slow KDF. */
export async function hashHj212Pw(pw: string, salt = randomBytes(16)): Promise<string> {
  return `scrypt$${salt.toString('base64url')}$${(await scrypt(pw, salt, 32)).toString('base64url')}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parts(stored: string): { algo: string; salt: Buffer<ArrayBuffer>; hash: string } | null {
  const [algo, saltText, hash] = stored.split('$');
  return algo && saltText && hash ? { algo, salt: Buffer.from(saltText, 'base64url'), hash } : null;
}

/**
 * True when `key` is the device's API key. One sha256 and a constant-time compare, no I/O: the key is 256 random bits,
 * so a fast hash is sound, and a request that carries many keys costs many microseconds, not many KDF runs.
 * The only credential HTTP ingest, Socket.IO `/devices` and MQTT accept.
 */
export function verifyApiKey(device: Pick<DeviceSecrets, 'apiKeyHash'>, key: string): boolean {
  if (!key) return false;
  const p = parts(device.apiKeyHash);
  return p?.algo === 'sha256' && safeEqual(hashApiKey(key, p.salt), device.apiKeyHash);
}

// scrypt costs ~50 ms: an HJ 212 monitor that sends a frame a minute with the same PW must not pay it every time, and
// a wrong PW sent again must not cost a second KDF run. Both caches hold a fast hash of (stored hash, PW), so a changed
// PW misses them; each is cleared when full.
const verified = new Set<string>();
const refused = new Set<string>();
const MAX_CACHED = 10_000;
const memoOf = (hash: string, pw: string) =>
  createHash('sha256').update(hash).update('\0').update(pw).digest('base64url');

/**
 * What is known about `pw` without running the KDF: true (verified before), false (empty, no PW set, or refused
 * before), or undefined (only `verifyHj212Pw` can tell, at the price of one scrypt run).
 */
export function knownHj212Pw(device: Pick<DeviceSecrets, 'hj212PwHash'>, pw: string): boolean | undefined {
  if (!pw || !device.hj212PwHash) return false;
  const memo = memoOf(device.hj212PwHash, pw);
  return verified.has(memo) ? true : refused.has(memo) ? false : undefined;
}

/**
 * True when `pw` is the device's HJ 212 PW (scrypt). Valid on the HJ 212 listener only: vendors ship guessable PWs
 * (123456), so no other transport accepts one, and the listener checks at most one PW per packet.
 */
export async function verifyHj212Pw(device: Pick<DeviceSecrets, 'hj212PwHash'>, pw: string): Promise<boolean> {
  const known = knownHj212Pw(device, pw);
  if (known !== undefined) return known;
  const memo = memoOf(device.hj212PwHash!, pw);
  const p = parts(device.hj212PwHash!);
  const ok = p?.algo === 'scrypt' && safeEqual((await scrypt(pw, p.salt, 32)).toString('base64url'), p.hash);
  const cache = ok ? verified : refused;
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.add(memo);
  return ok;
}
