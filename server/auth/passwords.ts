import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with the OWASP 2023 minimum (19 MiB, t=2, p=1): ~20-40 ms on one core here, so a login stays cheap for the
// server while an offline guess against a leaked hash stays expensive. @node-rs/argon2 ships prebuilt binaries in the
// npm package (no download at install), which is why it was chosen over node-argon2.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** An argon2id PHC string (`$argon2id$v=19$m=...`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/**
 * True when `password` matches `stored`. With no stored hash (unknown user) it still runs one argon2 verification,
 * so a login's time does not tell whether the username exists.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false; // a malformed stored hash never opens the account
  }
}

/** A password for a new account that a person reads once: 20 characters from an unambiguous alphabet (~115 bits). */
export function oneTimePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  // 256 % 57 != 0 leaves a tiny bias; at 20 characters it costs well under a bit of strength.
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
