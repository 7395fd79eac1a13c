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

// scrypt costs ~50 ms: an HJ 212 monitor that sends a frame a minute with the same PW must not pay it every time.
// The cache holds a fast hash of (stored hash, secret) pairs that verified, so a changed PW misses it.
const verified = new Set<string>();
const MAX_VERIFIED = 10_000;

/**
 * True when `pw` is the device's HJ 212 PW (scrypt). Valid on the HJ 212 listener only: vendors ship guessable PWs
 * (123456), so no other transport accepts one, and the listener checks at most one PW per packet.
 */
export async function verifyHj212Pw(device: Pick<DeviceSecrets, 'hj212PwHash'>, pw: string): Promise<boolean> {
  if (!pw || !device.hj212PwHash) return false;
  const memo = createHash('sha256').update(device.hj212PwHash).update('\0').update(pw).digest('base64url');
  if (verified.has(memo)) return true;
  const p = parts(device.hj212PwHash);
  if (p?.algo !== 'scrypt' || !safeEqual((await scrypt(pw, p.salt, 32)).toString('base64url'), p.hash)) return false;
  if (verified.size >= MAX_VERIFIED) verified.clear();
  verified.add(memo);
  return true;
}
