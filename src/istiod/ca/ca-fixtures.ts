// Test helpers: real openssl for CSRs, plug-in CA material (as the guide's recipe makes it) and verify.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeError } from '../../kube/index.js';

export function withTmp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mizzen-ca-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CSR as the agent sends it; its own SAN is deliberately a different identity. */
export function makeCsr(kind: 'ec' | 'rsa' = 'ec'): string {
  return withTmp((dir) => {
    const keyArgs =
      kind === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-newkey', 'rsa:2048'];
    openssl(
      [
        'req',
        '-new',
        ...keyArgs,
        '-nodes',
        '-keyout',
        'k.pem',
        '-out',
        'c.csr',
        '-subj',
        '/O=evil',
        '-addext',
        'subjectAltName=URI:spiffe://cluster.local/ns/kube-system/sa/admin',
      ],
      dir,
    );
    return readFileSync(join(dir, 'c.csr'), 'utf8');
  });
}

/** openssl verify; answers the combined output, throws with it on failure. */
export function opensslVerify(
  rootPem: string,
  untrustedPems: string[],
  leafPem: string,
  purpose?: string,
): string {
  return withTmp((dir) => {
    writeFileSync(join(dir, 'root.pem'), rootPem);
    writeFileSync(join(dir, 'chain.pem'), untrustedPems.join(''));
    writeFileSync(join(dir, 'leaf.pem'), leafPem);
    const args = ['verify', '-CAfile', 'root.pem'];
    if (untrustedPems.length) args.push('-untrusted', 'chain.pem');
    if (purpose) args.push('-purpose', purpose);
    args.push('leaf.pem');
    return openssl(args, dir);
  });
}

export function certText(pem: string): string {
  return withTmp((dir) => {
    writeFileSync(join(dir, 'c.pem'), pem);
    return openssl(['x509', '-in', 'c.pem', '-noout', '-text'], dir);
  });
}

export interface PluginMaterial {
  rootKey: string;
  rootCert: string;
  caKey: string;
  caCert: string;
  certChain: string;
}

/** Root and intermediate made as the guide's "Creating certificates" section does (RSA, openssl x509). */
export function makePluginMaterial(
  opts: { intermediateIsCa?: boolean; intermediateDays?: number } = {},
): PluginMaterial {
  return withTmp((dir) => {
    writeFileSync(
      join(dir, 'root-ca.conf'),
      `[ req ]\nencrypt_key = no\nprompt = no\nutf8 = yes\ndefault_md = sha256\nreq_extensions = req_ext\nx509_extensions = req_ext\ndistinguished_name = req_dn\n[ req_ext ]\nsubjectKeyIdentifier = hash\nbasicConstraints = critical, CA:true\nkeyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, keyCertSign\n[ req_dn ]\nO = Istio\nCN = Root CA\n`,
    );
    const ca = opts.intermediateIsCa ?? true;
    writeFileSync(
      join(dir, 'intermediate.conf'),
      `[ req ]\nencrypt_key = no\nprompt = no\nutf8 = yes\ndefault_md = sha256\nreq_extensions = req_ext\nx509_extensions = req_ext\ndistinguished_name = req_dn\n[ req_ext ]\nsubjectKeyIdentifier = hash\nbasicConstraints = critical, ${ca ? 'CA:true, pathlen:0' : 'CA:false'}\nkeyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment${ca ? ', keyCertSign' : ''}\nsubjectAltName=@san\n[ san ]\nDNS.1 = istiod.istio-system.svc\n[ req_dn ]\nO = Istio\nCN = Intermediate CA\nL = east\n`,
    );
    // 2048 rather than the guide's 4096 only to keep the tests quick; the code path is the same.
    openssl(['genrsa', '-out', 'root-key.pem', '2048'], dir);
    openssl(
      ['req', '-sha256', '-new', '-key', 'root-key.pem', '-config', 'root-ca.conf', '-out', 'root-cert.csr'],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-sha256',
        '-days',
        '3650',
        '-signkey',
        'root-key.pem',
        '-extensions',
        'req_ext',
        '-extfile',
        'root-ca.conf',
        '-in',
        'root-cert.csr',
        '-out',
        'root-cert.pem',
      ],
      dir,
    );
    openssl(['genrsa', '-out', 'ca-key.pem', '2048'], dir);
    openssl(
      ['req', '-new', '-config', 'intermediate.conf', '-key', 'ca-key.pem', '-out', 'cluster-ca.csr'],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-sha256',
        '-days',
        String(opts.intermediateDays ?? 3650),
        '-CA',
        'root-cert.pem',
        '-CAkey',
        'root-key.pem',
        '-CAcreateserial',
        '-extensions',
        'req_ext',
        '-extfile',
        'intermediate.conf',
        '-in',
        'cluster-ca.csr',
        '-out',
        'ca-cert.pem',
      ],
      dir,
    );
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      rootKey: read('root-key.pem'),
      rootCert: read('root-cert.pem'),
      caKey: read('ca-key.pem'),
      caCert: read('ca-cert.pem'),
      certChain: read('ca-cert.pem') + read('root-cert.pem'),
    };
  });
}

/** An in-memory stand-in for the KubeClient calls the CA makes (objects keyed by their API path). */
export class FakeKube {
  readonly objects = new Map<string, any>();
  readonly writes: { method: string; path: string }[] = [];
  readonly informers: { path: string; handlers: any; query: Record<string, string> }[] = [];
  tokenReview?: (spec: any) => any;

  put(path: string, obj: any): void {
    this.objects.set(path, structuredClone(obj));
  }

  async find<T = any>(path: string): Promise<T | undefined> {
    const o = this.objects.get(path);
    return o === undefined ? undefined : structuredClone(o);
  }

  async request<T = any>(method: string, path: string, body?: any): Promise<T> {
    this.writes.push({ method, path });
    if (path === '/apis/authentication.k8s.io/v1/tokenreviews' && method === 'POST')
      return { ...body, status: this.tokenReview?.(body.spec) ?? { authenticated: false } } as T;
    if (method === 'POST') {
      const full = `${path}/${body.metadata.name}`;
      if (this.objects.has(full)) throw new KubeError(409, 'AlreadyExists', `${full} already exists`);
      this.put(full, body);
      return body;
    }
    if (method === 'PUT') {
      if (!this.objects.has(path)) throw new KubeError(404, 'NotFound', `${path} not found`);
      this.put(path, body);
      return body;
    }
    throw new Error(`FakeKube: ${method} ${path} not supported`);
  }

  informer(path: string, handlers: any, query: Record<string, string> = {}): any {
    this.informers.push({ path, handlers, query });
    const items = [...this.objects.entries()].filter(([p]) => p.startsWith(`${path}/`)).map(([, o]) => o);
    queueMicrotask(() => handlers.onSync?.(items));
    return { synced: Promise.resolve(), stop() {} };
  }

  /** Sends a watch event to every informer on that collection path. */
  emit(path: string, type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: any): void {
    for (const i of this.informers) if (i.path === path) i.handlers.onEvent?.(type, obj);
  }
}
