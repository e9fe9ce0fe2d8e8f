/**
 * The few `node:crypto` functions webhook verification needs, reached through
 * `process.getBuiltinModule` when called: the SDK has no static Node import, so bundlers load it in a
 * browser, where only verification (a server's job) is unavailable.
 */
export interface NodeCrypto {
  createHmac(
    algorithm: 'sha256',
    key: Uint8Array,
  ): { update(data: Uint8Array): { digest(encoding: 'base64'): string } };
  timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean;
  createPublicKey(input: { key: Uint8Array; format: 'der'; type: 'spki' }): object;
  verify(algorithm: null, data: Uint8Array, key: object, signature: Uint8Array): boolean;
}

interface RuntimeWithBuiltins {
  readonly process?: { readonly getBuiltinModule?: (id: string) => unknown };
}

/** `node:crypto`, or an error saying verification needs a server runtime. */
export function nodeCrypto(): NodeCrypto {
  const runtime = globalThis as RuntimeWithBuiltins;
  const crypto = runtime.process?.getBuiltinModule?.('node:crypto');
  if (crypto === undefined || crypto === null) {
    throw new Error(
      'Webhook verification needs node:crypto (Node.js 20.16 or later, Bun or Deno): verify on the server',
    );
  }
  return crypto as NodeCrypto;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The bytes of canonical standard base64 (padding optional), or `null` for anything else, as
 * webhook-core decodes secrets and signatures: no other alphabet, no whitespace, no stray bits.
 */
export function decodeCanonicalBase64(encoded: string): Uint8Array | null {
  const unpadded = encoded.replace(/=+$/, '');
  if (!BASE64.test(encoded) || (encoded.length !== unpadded.length && encoded.length % 4 !== 0)) {
    return null;
  }
  if (unpadded.length % 4 === 1) return null;
  let binary: string;
  try {
    binary = atob(unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4));
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return btoa(binary).replace(/=+$/, '') === unpadded ? bytes : null;
}

const encoder = new TextEncoder();

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
