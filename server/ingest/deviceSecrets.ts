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

/** Checks a secret against a stored `algo$salt$hash` string. */
async function matches(stored: string, secret: string): Promise<boolean> {
  const [algo, saltText, hash] = stored.split('$');
  if (!saltText || !hash) return false;
  const salt = Buffer.from(saltText, 'base64url');
  if (algo === 'sha256') return safeEqual(hashApiKey(secret, salt), stored);
  if (algo === 'scrypt') return safeEqual((await scrypt(secret, salt, 32)).toString('base64url'), hash);
  return false;
}

// scrypt costs ~50 ms: an HJ 212 monitor that sends a frame a minute with the same PW must not pay it every time.
// The cache holds a fast hash of (stored hash, secret) pairs that verified, so a changed PW or key misses it.
const verified = new Set<string>();
const MAX_VERIFIED = 10_000;

/**
 * True when `secret` is the device's API key or its HJ 212 PW. A key authorises only its own device: the caller
 * passes the device the reading names, never a device looked up by the key.
 */
export async function verifyDeviceSecret(device: DeviceSecrets, secret: string): Promise<boolean> {
  if (!secret) return false;
  if (await matches(device.apiKeyHash, secret)) return true;
  if (!device.hj212PwHash) return false;
  const memo = createHash('sha256').update(device.hj212PwHash).update('\0').update(secret).digest('base64url');
  if (verified.has(memo)) return true;
  if (!(await matches(device.hj212PwHash, secret))) return false;
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.add(memo);
  return true;
}
