// Renders Node's socket/TLS failures in the words Go's net/http and crypto/x509 use, so that a
// failed webhook call reads like it does against kube-apiserver (people search for these texts).

import { isIP } from 'node:net';

interface NodeNetError extends Error {
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
  syscall?: string;
  cert?: { subjectaltname?: string; subject?: { CN?: string } };
}

const unknownAuthority = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

const goAlertNames: Record<string, string> = {
  'unknown ca': 'unknown certificate authority',
};

function hostPort(host: string, port: number | string | undefined): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

/** Go's hostname-mismatch text, built from the certificate's SANs. */
function nameMismatch(expected: string, san: string | undefined): string {
  const entries = (san ?? '').split(/,\s*/).filter(Boolean);
  if (isIP(expected)) {
    const ips = entries.filter((e) => e.startsWith('IP Address:')).map((e) => e.slice('IP Address:'.length));
    if (ips.length === 0)
      return `x509: cannot validate certificate for ${expected} because it doesn't contain any IP SANs`;
    return `x509: certificate is valid for ${ips.join(', ')}, not ${expected}`;
  }
  const names = entries.filter((e) => e.startsWith('DNS:')).map((e) => e.slice('DNS:'.length));
  if (names.length === 0)
    return `x509: certificate is not valid for any names, but wanted to match ${expected}`;
  return `x509: certificate is valid for ${names.join(', ')}, not ${expected}`;
}

/**
 * The part after `Post "<url>": ` for a transport failure.
 * `dialed` is the address actually connected to; `expectedName` the name the certificate must carry.
 */
export function goTransportError(
  err: unknown,
  dialed: { host: string; port: number },
  expectedName: string,
): string {
  const e = (err ?? {}) as NodeNetError;
  const code = e.code ?? '';
  const msg = e.message ?? String(err);
  const addr = hostPort(e.address ?? dialed.host, e.port ?? dialed.port);

  if (unknownAuthority.has(code))
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `tls: failed to verify certificate: ${nameMismatch(expectedName, e.cert?.subjectaltname)}`;

  const alert = /^ERR_SSL_(?:SSLV3|TLSV1(?:\d)?)_ALERT_(.+)$/.exec(code);
  if (alert) {
    const name = alert[1].toLowerCase().replace(/_/g, ' ');
    return `remote error: tls: ${goAlertNames[name] ?? name}`;
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && /wrong version number/i.test(msg)))
    return 'http: server gave HTTP response to HTTPS client';

  switch (code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: i/o timeout`;
    case 'ENOTFOUND':
      return `dial tcp: lookup ${e.hostname ?? dialed.host}: no such host`;
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${e.hostname ?? dialed.host}: temporary failure in name resolution`;
    case 'ECONNRESET':
      // "socket hang up" and a close before the TLS handshake finished are both a bare EOF in Go.
      if (/socket hang up|before secure TLS connection/i.test(msg)) return 'EOF';
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EPIPE':
      return `write tcp ${addr}: write: broken pipe`;
  }
  return msg;
}
