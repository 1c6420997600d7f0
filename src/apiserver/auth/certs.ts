// Certificate issuance for the cluster CA. Profiles follow what kubeadm produces, because Go's TLS stack
// (kubectl, client-go) is strict: serving certs need SANs (a CN alone is rejected) and EKU serverAuth,
// client certs need EKU clientAuth.
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { type CryptoKey, EC_SIGN_ALG, generateEcKeyPair, privateKeyToPem } from './keys.js';

const DAY_MS = 24 * 60 * 60 * 1000;
// Backdating tolerates small clock differences between this process and its clients.
const BACKDATE_MS = 5 * 60 * 1000;

export interface CertAuthority {
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export interface CertAndKeyPem {
  certPem: string;
  keyPem: string;
}

export type CertUsage = 'server' | 'client' | 'server+client';

export interface LeafProfile {
  commonName: string;
  organizations?: string[];
  dnsNames?: string[];
  ips?: string[];
  usage: CertUsage;
  days: number;
  now?: Date;
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // keep the DER INTEGER positive
  if (bytes[0] === 0) bytes[0] = 1; // and without a leading zero byte
  return bytes.toString('hex');
}

function subjectName(commonName: string, organizations: string[] = []): x509.JsonName {
  return [...organizations.map((o) => ({ O: [o] })), { CN: [commonName] }];
}

export function normalizeIp(ip: string): string {
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  throw new Error(`not an IP address: ${ip}`);
}

export async function createCertAuthority(
  commonName: string,
  days: number,
  now: Date = new Date(),
): Promise<CertAuthority & CertAndKeyPem> {
  const keys = await generateEcKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(commonName),
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + days * DAY_MS),
    signingAlgorithm: EC_SIGN_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    cert,
    key: keys.privateKey,
    certPem: cert.toString('pem'),
    keyPem: await privateKeyToPem(keys.privateKey),
  };
}

export async function issueLeafCert(ca: CertAuthority, profile: LeafProfile): Promise<CertAndKeyPem> {
  const now = profile.now ?? new Date();
  const keys = await generateEcKeyPair();
  const ekus: string[] = [];
  if (profile.usage !== 'client') ekus.push(x509.ExtendedKeyUsage.serverAuth);
  if (profile.usage !== 'server') ekus.push(x509.ExtendedKeyUsage.clientAuth);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(ekus, false),
    await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
  ];
  const sans: x509.JsonGeneralNames = [
    ...unique(profile.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...unique((profile.ips ?? []).map(normalizeIp)).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));

  const notAfter = Math.min(now.getTime() + profile.days * DAY_MS, ca.cert.notAfter.getTime());
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(profile.commonName, profile.organizations),
    issuer: ca.cert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    signingAlgorithm: EC_SIGN_ALG,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    extensions,
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
}

export interface CertSans {
  dnsNames: string[];
  ips: string[];
}

export function certSans(cert: x509.X509Certificate): CertSans {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const out: CertSans = { dnsNames: [], ips: [] };
  for (const name of ext?.names.items ?? []) {
    if (name.type === 'dns') out.dnsNames.push(name.value.toLowerCase());
    else if (name.type === 'ip') out.ips.push(normalizeIp(name.value));
  }
  return out;
}

export function sansCover(have: CertSans, want: CertSans): boolean {
  const dns = new Set(have.dnsNames.map((d) => d.toLowerCase()));
  const ips = new Set(have.ips.map(normalizeIp));
  return (
    want.dnsNames.every((d) => dns.has(d.toLowerCase())) && want.ips.every((ip) => ips.has(normalizeIp(ip)))
  );
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
