// Key handling for the mesh CA. Self-signed roots are ECDSA P-256, but plug-in `cacerts` material is
// often RSA (the guide's openssl recipe makes RSA-4096 keys, in PKCS#1 or PKCS#8 PEM), so keys are
// parsed with Node's crypto (which reads every PEM flavour) and then handed to WebCrypto for signing.
import 'reflect-metadata';
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

const subtle = webcrypto.subtle;

// @peculiar/x509 looks its provider up globally; pin it to Node's implementation.
x509.cryptoProvider.set(webcrypto as any);

export const EC_KEY_ALG: webcrypto.EcKeyImportParams = { name: 'ECDSA', namedCurve: 'P-256' };

export function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return subtle.generateKey(EC_KEY_ALG, true, ['sign', 'verify']);
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  const der = await subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY').trimEnd()}\n`;
}

/** The signature algorithm a CA key signs with (SHA-256 throughout, as Istio's CA does). */
export function signingAlgorithm(key: CryptoKey): webcrypto.EcdsaParams | webcrypto.RsaHashedImportParams {
  return key.algorithm.name === 'ECDSA'
    ? { name: 'ECDSA', hash: 'SHA-256' }
    : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/** Imports a private key from any PEM form openssl writes (PKCS#8, PKCS#1 RSA, SEC1 EC). */
export async function importSigningKeyPem(pem: string): Promise<CryptoKey> {
  let keyObject;
  try {
    keyObject = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new Error(`cannot parse the private key: ${(err as Error).message}`);
  }
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  if (keyObject.asymmetricKeyType === 'rsa') {
    return subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['sign']);
  }
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'prime256v1' ? 'P-256' : curve === 'secp384r1' ? 'P-384' : undefined;
    if (!namedCurve)
      throw new Error(`unsupported EC curve ${curve ?? '(unknown)'} (P-256 and P-384 are supported)`);
    return subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, true, ['sign']);
  }
  throw new Error(`unsupported private key type ${keyObject.asymmetricKeyType ?? '(unknown)'}`);
}

/** True when the private key in PEM belongs to the certificate's public key. */
export function keyMatchesCert(keyPem: string, cert: x509.X509Certificate): boolean {
  const fromKey = createPublicKey(createPrivateKey({ key: keyPem, format: 'pem' })).export({
    type: 'spki',
    format: 'der',
  });
  return Buffer.from(cert.publicKey.rawData).equals(fromKey);
}
