// ECDSA P-256 key handling on WebCrypto. Keys are kept as PKCS#8 / SPKI PEM on disk because that is
// what openssl, Go's crypto/tls (kubectl) and Node's tls module all read without conversion.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

// No DOM lib in this project: WebCrypto types come from Node's declarations.
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';

export const subtle = webcrypto.subtle;

// @peculiar/x509 looks its provider up globally; pin it to Node's implementation once.
x509.cryptoProvider.set(webcrypto as any);

export const EC_KEY_ALG: webcrypto.EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };
export const EC_SIGN_ALG: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

export function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

export async function publicKeyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('spki', key);
  return x509.PemConverter.encode(der, 'PUBLIC KEY');
}

function pemBody(pem: string, label: string): ArrayBuffer {
  const blocks = x509.PemConverter.decodeWithHeaders(pem).filter((b) => b.type === label);
  if (blocks.length === 0) throw new Error(`no "${label}" PEM block found`);
  return blocks[0]!.rawData;
}

export function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  return subtle.importKey('pkcs8', pemBody(pem, 'PRIVATE KEY'), EC_KEY_ALG, true, ['sign']);
}

export function importPublicKeyPem(pem: string): Promise<CryptoKey> {
  return subtle.importKey('spki', pemBody(pem, 'PUBLIC KEY'), EC_KEY_ALG, true, ['verify']);
}

/** WebCrypto cannot derive a public key from a private one directly; the JWK form carries x/y. */
export async function publicKeyFromPrivate(privateKey: CryptoKey): Promise<CryptoKey> {
  const jwk = await subtle.exportKey('jwk', privateKey);
  const pub: webcrypto.JsonWebKey = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true };
  return subtle.importKey('jwk', pub, EC_KEY_ALG, true, ['verify']);
}

export async function samePublicKey(a: CryptoKey, b: CryptoKey): Promise<boolean> {
  const [da, db] = await Promise.all([subtle.exportKey('spki', a), subtle.exportKey('spki', b)]);
  return Buffer.from(da).equals(Buffer.from(db));
}

/** Key id as the Kubernetes token signer computes it: SHA-256 over the PKIX (SPKI) DER, base64url without padding. */
export async function keyIdFromPublicKey(publicKey: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('spki', publicKey);
  const digest = await subtle.digest('SHA-256', der);
  return Buffer.from(digest).toString('base64url');
}
