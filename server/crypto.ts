/** Tokens and ids from WebCrypto (no Node-only imports: the app also runs in browsers). */

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Random bytes are drawn from the CSPRNG 4 KiB at a time and each handed out once (a copy): one
 * `getRandomValues` call per id cost more than the rest of making it (measured: 4 % of the CPU
 * of an invite, which makes a request id, a user id, a token and event ids).
 */
const POOL_BYTES = 4096;
const pool = new Uint8Array(POOL_BYTES);
let used = POOL_BYTES;

function randomBytes(length: number): Uint8Array {
  if (length > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(length));
  if (used + length > POOL_BYTES) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  const bytes = pool.slice(used, used + length);
  // Not left in memory once handed out (the pool holds the next tokens' bytes, not the past ones').
  pool.fill(0, used, used + length);
  used += length;
  return bytes;
}

/** A 256-bit token from the CSPRNG, base64url. */
export function newToken(): string {
  return base64url(randomBytes(32));
}

/** An opaque id with a type prefix: 128 random bits. */
export function randomId(prefix: string): string {
  return `${prefix}_${base64url(randomBytes(16))}`;
}

/** SHA-256, hex. The app takes another implementation (`createApp({ hash })`): Node's is synchronous and cheaper. */
export type Hasher = (text: string) => string | Promise<string>;

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares secrets in time independent of where they differ. */
export function timingSafeEqual(a: string, b: string): boolean {
  // Code unit by code unit (a code unit past the end reads NaN, which `| 0` makes 0): no bytes to
  // encode per request on the API key's hot path.
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
