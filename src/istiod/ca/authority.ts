// The signing side of istiod's CA: a root of trust (self-signed or plugged in), and workload
// certificates issued from CSRs. Pure apart from WebCrypto; the Kubernetes Secret handling lives in
// key-material.ts.
import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  type CryptoKey,
  generateEcKeyPair,
  importSigningKeyPem,
  keyMatchesCert,
  privateKeyToPem,
  signingAlgorithm,
} from './keys.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Upstream's CITADEL_SELF_SIGNED_CA_CERT_TTL. */
export const SELF_SIGNED_ROOT_DAYS = 3650;
/** Upstream's DEFAULT_WORKLOAD_CERT_TTL and MAX_WORKLOAD_CERT_TTL, in seconds. */
export const DEFAULT_WORKLOAD_TTL_SECONDS = 24 * 60 * 60;
export const MAX_WORKLOAD_TTL_SECONDS = 90 * 24 * 60 * 60;
// Backdating tolerates small clock differences between istiod and the proxies.
const BACKDATE_MS = 5 * 60 * 1000;

export interface CaBundle {
  /** 'plugin' when loaded from the `cacerts` Secret, 'self-signed' for `istio-ca-secret`. */
  source: 'plugin' | 'self-signed';
  signingCert: x509.X509Certificate;
  signingKey: CryptoKey;
  /** PEMs between the signing cert and the root, signing cert first; empty when the root signs. */
  intermediatesPem: string[];
  rootCertPem: string;
}

/** PEM material as it sits in a Secret (`cacerts` or `istio-ca-secret`). */
export interface CaPem {
  caCertPem: string;
  caKeyPem: string;
  rootCertPem: string;
  certChainPem?: string;
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // positive DER INTEGER without a leading zero byte
  return bytes.toString('hex');
}

/** PEM as openssl writes it, newline-terminated, so PEMs concatenate into valid bundles. */
export function certPem(cert: x509.X509Certificate): string {
  return `${cert.toString('pem').trimEnd()}\n`;
}

export function splitPemCerts(pem: string): string[] {
  return x509.PemConverter.decodeWithHeaders(pem)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => `${x509.PemConverter.encode(b.rawData, 'CERTIFICATE').trimEnd()}\n`);
}

export async function createSelfSignedRoot(
  trustDomain: string,
  now: Date = new Date(),
  days = SELF_SIGNED_ROOT_DAYS,
): Promise<CaPem> {
  const keys = await generateEcKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    // Upstream's self-signed root carries only O=<trust domain>.
    name: [{ O: [trustDomain] }],
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    signingAlgorithm: signingAlgorithm(keys.privateKey),
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = certPem(cert);
  return { caCertPem: pem, caKeyPem: await privateKeyToPem(keys.privateKey), rootCertPem: pem };
}

function parseOne(pem: string, what: string): x509.X509Certificate {
  const certs = pem ? splitPemCerts(pem) : [];
  if (certs.length === 0) throw new Error(`${what} holds no PEM certificate`);
  try {
    return new x509.X509Certificate(certs[0]!);
  } catch (err) {
    throw new Error(`${what} is not a valid certificate: ${(err as Error).message}`);
  }
}

function checkIsCa(cert: x509.X509Certificate, what: string): void {
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) throw new Error(`${what} is not a CA certificate (basicConstraints CA:TRUE is missing)`);
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && !(ku.usages & x509.KeyUsageFlags.keyCertSign))
    throw new Error(`${what} is not allowed to sign certificates (keyUsage lacks keyCertSign)`);
}

function checkValidity(cert: x509.X509Certificate, what: string, now: Date): void {
  if (cert.notAfter.getTime() <= now.getTime())
    throw new Error(`${what} expired on ${cert.notAfter.toISOString()}`);
  if (cert.notBefore.getTime() > now.getTime())
    throw new Error(`${what} is not valid before ${cert.notBefore.toISOString()}`);
}

async function signedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * Checks CA material and turns it into a signing bundle. Errors name the Secret key at fault, so a
 * broken `cacerts` can be fixed from the message alone. `label` prefixes messages (e.g. the Secret).
 */
export async function loadCaBundle(
  pem: CaPem,
  source: CaBundle['source'],
  label: string,
  now: Date = new Date(),
): Promise<CaBundle> {
  const signingCert = parseOne(pem.caCertPem, `${label}: ca-cert.pem`);
  const root = parseOne(pem.rootCertPem, `${label}: root-cert.pem`);
  let keyOk: boolean;
  try {
    keyOk = keyMatchesCert(pem.caKeyPem, signingCert);
  } catch (err) {
    throw new Error(`${label}: ca-key.pem cannot be read: ${(err as Error).message}`);
  }
  if (!keyOk) throw new Error(`${label}: ca-key.pem does not match the certificate in ca-cert.pem`);
  checkIsCa(signingCert, `${label}: ca-cert.pem`);
  checkValidity(signingCert, `${label}: ca-cert.pem`, now);
  checkIsCa(root, `${label}: root-cert.pem`);
  checkValidity(root, `${label}: root-cert.pem`, now);
  let signingKey: CryptoKey;
  try {
    signingKey = await importSigningKeyPem(pem.caKeyPem);
  } catch (err) {
    throw new Error(`${label}: ca-key.pem: ${(err as Error).message}`);
  }

  // The chain from the signing cert up to (not including) the root, as cert-chain.pem lists it.
  const rootDer = Buffer.from(root.rawData);
  const isRoot = (c: x509.X509Certificate) => Buffer.from(c.rawData).equals(rootDer);
  const chain = splitPemCerts(pem.certChainPem ?? '')
    .map((p) => new x509.X509Certificate(p))
    .filter((c) => !isRoot(c));
  if (
    !isRoot(signingCert) &&
    !(chain[0] && Buffer.from(chain[0].rawData).equals(Buffer.from(signingCert.rawData)))
  )
    chain.unshift(signingCert);
  for (let i = 0; i < chain.length; i++) {
    const issuer = chain[i + 1] ?? root;
    const what = i === 0 ? 'ca-cert.pem' : `certificate ${i + 1} of cert-chain.pem`;
    if (!(await signedBy(chain[i]!, issuer)))
      throw new Error(
        `${label}: ${what} (${chain[i]!.subject}) is not signed by ${
          i + 1 < chain.length ? 'the next certificate in cert-chain.pem' : 'the root in root-cert.pem'
        }`,
      );
    if (i > 0) checkValidity(chain[i]!, `${label}: ${what}`, now);
  }
  if (chain.length === 0 && !(await signedBy(root, root)))
    throw new Error(`${label}: root-cert.pem is not self-signed`);
  return {
    source,
    signingCert,
    signingKey,
    intermediatesPem: chain.map(certPem),
    rootCertPem: certPem(root),
  };
}

export interface SignRequest {
  csrPem: string;
  /** The authenticated SPIFFE identity, e.g. spiffe://cluster.local/ns/default/sa/bookinfo. */
  identity: string;
  /** Requested lifetime; <= 0 means the default. */
  ttlSeconds: number;
  maxTtlSeconds?: number;
  defaultTtlSeconds?: number;
  now?: Date;
}

/**
 * Issues a workload certificate for the CSR's public key, named by the authenticated identity only
 * (the CSR's subject and SANs are ignored, as upstream does). Returns the response `cert_chain`:
 * leaf first, then the intermediates, then the root.
 */
export async function signCsr(ca: CaBundle, req: SignRequest): Promise<string[]> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(req.csrPem);
  } catch (err) {
    throw new CsrError(`the CSR cannot be parsed: ${(err as Error).message}`);
  }
  if (!(await csr.verify().catch(() => false))) throw new CsrError('the CSR signature does not verify');

  const now = req.now ?? new Date();
  const max = req.maxTtlSeconds ?? MAX_WORKLOAD_TTL_SECONDS;
  const ttl = Math.min(
    req.ttlSeconds > 0 ? req.ttlSeconds : (req.defaultTtlSeconds ?? DEFAULT_WORKLOAD_TTL_SECONDS),
    max,
  );
  // A leaf never outlives its issuer.
  const notAfter = Math.min(now.getTime() + ttl * 1000, ca.signingCert.notAfter.getTime());
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [],
    issuer: ca.signingCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: signingAlgorithm(ca.signingKey),
    publicKey: csr.publicKey,
    signingKey: ca.signingKey,
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(
        [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.signingCert.publicKey),
      // An empty subject makes the SAN extension critical (RFC 5280 4.2.1.6).
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: req.identity }], true),
    ],
  });
  return [certPem(leaf), ...ca.intermediatesPem, ca.rootCertPem];
}

/** A CSR the CA refuses (gRPC INVALID_ARGUMENT). */
export class CsrError extends Error {}

export interface ServingCertRequest {
  dnsNames: string[];
  days?: number;
  now?: Date;
}

/** istiod's own serving certificate for port 15012 (DNS SANs only), with its private key. */
export async function issueServingCert(
  ca: CaBundle,
  req: ServingCertRequest,
): Promise<{ certChainPem: string; keyPem: string }> {
  const now = req.now ?? new Date();
  const keys = await generateEcKeyPair();
  const notAfter = Math.min(now.getTime() + (req.days ?? 365) * DAY_MS, ca.signingCert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [],
    issuer: ca.signingCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: signingAlgorithm(ca.signingKey),
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension(
        [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
        false,
      ),
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.signingCert.publicKey),
      new x509.SubjectAlternativeNameExtension(
        [...new Set(req.dnsNames)].map((value) => ({ type: 'dns' as const, value })),
        true,
      ),
    ],
  });
  return {
    certChainPem: [certPem(cert), ...ca.intermediatesPem].join(''),
    keyPem: await privateKeyToPem(keys.privateKey),
  };
}

export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
