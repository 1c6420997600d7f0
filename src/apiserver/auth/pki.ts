// The cluster's on-disk PKI: created at first start, reused afterwards, leaf certs renewed when they
// no longer fit. Private keys are PKCS#8 PEM with mode 0600.
import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  type CertAndKeyPem,
  type CertAuthority,
  certSans,
  createCertAuthority,
  issueLeafCert,
  sansCover,
} from './certs.js';
import {
  generateEcKeyPair,
  importPrivateKeyPem,
  privateKeyToPem,
  publicKeyFromPrivate,
  publicKeyToPem,
  samePublicKey,
} from './keys.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const CA_DAYS = 3650;
export const SERVER_CERT_DAYS = 365;
export const ADMIN_CERT_DAYS = 365;
/** A leaf cert this close to expiry is re-issued at start-up. */
export const RENEW_BEFORE_DAYS = 30;

export const CA_COMMON_NAME = 'kubernetes';
export const APISERVER_COMMON_NAME = 'kube-apiserver';
export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUP = 'system:masters';

/** Names every in-cluster client uses for the API server, plus loopback. */
export const DEFAULT_APISERVER_DNS_NAMES = [
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
  'localhost',
];
export const DEFAULT_APISERVER_IPS = ['127.0.0.1'];

export interface PkiPaths {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

export type PkiItem = 'ca' | 'server' | 'admin' | 'serviceAccountKey';

export interface ClusterPki {
  dir: string;
  paths: PkiPaths;
  caCertPem: string;
  caKeyPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  adminCertPem: string;
  adminKeyPem: string;
  serviceAccountPrivateKeyPem: string;
  serviceAccountPublicKeyPem: string;
  /** What this call created or re-issued (empty when everything on disk was reused). */
  generated: PkiItem[];
  issueClientCert(cn: string, orgs: string[], days: number): Promise<CertAndKeyPem>;
  issueServingCert(dnsNames: string[], ips: string[], days: number): Promise<CertAndKeyPem>;
}

export interface ClusterPkiOptions {
  hosts: string[];
  ips: string[];
  /** Clock override, for tests of renewal. */
  now?: () => Date;
}

export function pkiPaths(dir: string): PkiPaths {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPub: join(dir, 'sa.pub'),
  };
}

export async function loadOrCreateClusterPki(dir: string, opts: ClusterPkiOptions): Promise<ClusterPki> {
  const now = opts.now ?? (() => new Date());
  const paths = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const generated: PkiItem[] = [];

  let ca = await loadCa(paths);
  let caPem: CertAndKeyPem;
  if (ca) {
    caPem = { certPem: await readFile(paths.caCert, 'utf8'), keyPem: await readFile(paths.caKey, 'utf8') };
  } else {
    const created = await createCertAuthority(CA_COMMON_NAME, CA_DAYS, now());
    ca = { cert: created.cert, key: created.key };
    caPem = created;
    await writeCertAndKey(paths.caCert, paths.caKey, created);
    generated.push('ca');
  }
  const authority = ca;

  const wantSans = {
    dnsNames: [...new Set([...opts.hosts, ...DEFAULT_APISERVER_DNS_NAMES])],
    ips: [...new Set([...opts.ips, ...DEFAULT_APISERVER_IPS])],
  };
  const server = await loadOrIssueLeaf(
    authority,
    paths.serverCert,
    paths.serverKey,
    now(),
    (cert) => sansCover(certSans(cert), wantSans),
    () =>
      issueLeafCert(authority, {
        commonName: APISERVER_COMMON_NAME,
        dnsNames: wantSans.dnsNames,
        ips: wantSans.ips,
        usage: 'server',
        days: SERVER_CERT_DAYS,
        now: now(),
      }),
  );
  if (server.issued) generated.push('server');

  const admin = await loadOrIssueLeaf(
    authority,
    paths.adminCert,
    paths.adminKey,
    now(),
    (cert) =>
      sameStrings(cert.subjectName.getField('CN'), [ADMIN_USER]) &&
      sameStrings(cert.subjectName.getField('O'), [ADMIN_GROUP]),
    () =>
      issueLeafCert(authority, {
        commonName: ADMIN_USER,
        organizations: [ADMIN_GROUP],
        usage: 'client',
        days: ADMIN_CERT_DAYS,
        now: now(),
      }),
  );
  if (admin.issued) generated.push('admin');

  const sa = await loadOrCreateServiceAccountKey(paths);
  if (sa.created) generated.push('serviceAccountKey');

  return {
    dir,
    paths,
    caCertPem: caPem.certPem,
    caKeyPem: caPem.keyPem,
    serverCertPem: server.pem.certPem,
    serverKeyPem: server.pem.keyPem,
    adminCertPem: admin.pem.certPem,
    adminKeyPem: admin.pem.keyPem,
    serviceAccountPrivateKeyPem: sa.privateKeyPem,
    serviceAccountPublicKeyPem: sa.publicKeyPem,
    generated,
    issueClientCert: (cn, orgs, days) =>
      issueLeafCert(authority, { commonName: cn, organizations: orgs, usage: 'client', days, now: now() }),
    issueServingCert: (dnsNames, ips, days) =>
      issueLeafCert(authority, {
        commonName: dnsNames[0] ?? ips[0] ?? 'serving',
        dnsNames,
        ips,
        usage: 'server',
        days,
        now: now(),
      }),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function loadCa(paths: PkiPaths): Promise<CertAuthority | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(paths.caCert), readIfExists(paths.caKey)]);
  if (certPem === undefined && keyPem === undefined) return undefined;
  // Never silently replace half a CA: every issued credential would stop working.
  if (certPem === undefined || keyPem === undefined) {
    throw new Error(
      `incomplete cluster CA in ${paths.caCert} / ${paths.caKey}: one of the two files is missing`,
    );
  }
  const cert = new x509.X509Certificate(certPem);
  const key = await importPrivateKeyPem(keyPem);
  if (!(await samePublicKey(await cert.publicKey.export(), await publicKeyFromPrivate(key)))) {
    throw new Error(`cluster CA key ${paths.caKey} does not match certificate ${paths.caCert}`);
  }
  return { cert, key };
}

async function loadOrIssueLeaf(
  ca: CertAuthority,
  certPath: string,
  keyPath: string,
  now: Date,
  stillFits: (cert: x509.X509Certificate) => boolean,
  issue: () => Promise<CertAndKeyPem>,
): Promise<{ pem: CertAndKeyPem; issued: boolean }> {
  const existing = await loadLeaf(ca, certPath, keyPath, now, stillFits);
  if (existing) return { pem: existing, issued: false };
  const pem = await issue();
  await writeCertAndKey(certPath, keyPath, pem);
  return { pem, issued: true };
}

/** The stored leaf, or undefined when it is missing, unreadable, from another CA, near expiry or unfit. */
async function loadLeaf(
  ca: CertAuthority,
  certPath: string,
  keyPath: string,
  now: Date,
  stillFits: (cert: x509.X509Certificate) => boolean,
): Promise<CertAndKeyPem | undefined> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem === undefined || keyPem === undefined) return undefined;
  try {
    const cert = new x509.X509Certificate(certPem);
    if (!(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }))) return undefined;
    if (cert.notAfter.getTime() - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return undefined;
    if (!stillFits(cert)) return undefined;
    const key = await importPrivateKeyPem(keyPem);
    if (!(await samePublicKey(await cert.publicKey.export(), await publicKeyFromPrivate(key))))
      return undefined;
  } catch {
    return undefined;
  }
  return { certPem, keyPem };
}

async function loadOrCreateServiceAccountKey(
  paths: PkiPaths,
): Promise<{ privateKeyPem: string; publicKeyPem: string; created: boolean }> {
  let privateKeyPem = await readIfExists(paths.serviceAccountKey);
  let created = false;
  if (privateKeyPem === undefined) {
    const keys = await generateEcKeyPair();
    privateKeyPem = await privateKeyToPem(keys.privateKey);
    await writeFileAtomic(paths.serviceAccountKey, privateKeyPem, 0o600);
    created = true;
  }
  // The public half is always derived, so a stale sa.pub can never disagree with sa.key.
  const publicKeyPem = await publicKeyToPem(
    await publicKeyFromPrivate(await importPrivateKeyPem(privateKeyPem)),
  );
  if ((await readIfExists(paths.serviceAccountPub)) !== publicKeyPem) {
    await writeFileAtomic(paths.serviceAccountPub, publicKeyPem, 0o644);
  }
  return { privateKeyPem, publicKeyPem, created };
}

async function writeCertAndKey(certPath: string, keyPath: string, pem: CertAndKeyPem): Promise<void> {
  // Key first: a crash in between leaves a key without its cert, which the next start re-issues.
  await writeFileAtomic(keyPath, pem.keyPem, 0o600);
  await writeFileAtomic(certPath, pem.certPem, 0o644);
}

async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data, { mode });
  await chmod(tmp, mode);
  await rename(tmp, path);
}

function sameStrings(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
