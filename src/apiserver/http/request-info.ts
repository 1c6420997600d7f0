// Turns a request path into what it addresses, following the apiserver's RequestInfoFactory rules.

export interface RequestInfo {
  /** True for /api and /apis resource paths. */
  isResource: boolean;
  path: string;
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /** get, list, watch, create, update, patch, delete, deletecollection, or the HTTP method for non-resource paths. */
  verb: string;
  /** The path prefix without group/version parsing, e.g. "api", "apis", "version". */
  prefix: string;
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function parseRequest(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path
    .split('/')
    .filter((p) => p.length > 0)
    .map(decodeURIComponent);
  const base: RequestInfo = {
    isResource: false,
    path,
    group: '',
    version: '',
    verb: method.toLowerCase(),
    prefix: parts[0] ?? '',
  };
  if (parts[0] !== 'api' && parts[0] !== 'apis') return base;
  let rest: string[];
  let group = '';
  let version: string;
  if (parts[0] === 'api') {
    if (parts.length < 2) return base;
    version = parts[1];
    rest = parts.slice(2);
  } else {
    if (parts.length < 3) return { ...base, group: parts[1] ?? '' };
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  }
  const info: RequestInfo = { ...base, group, version, isResource: rest.length > 0 };
  if (rest.length === 0) return info;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces') {
    if (rest.length > 1) {
      info.namespace = rest[1];
      if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
    }
  }
  info.resource = rest[0];
  if (rest.length > 1) info.name = rest[1];
  if (rest.length > 2) info.subresource = rest[2];
  // /api/v1/namespaces/x addresses the namespace itself, not a namespaced resource.
  if (info.resource === 'namespaces' && info.namespace !== undefined && rest[0] === 'namespaces') {
    info.name = info.namespace;
    info.namespace = undefined;
  }
  const m = method.toUpperCase();
  if (watchPath || (m === 'GET' && isTrue(query.get('watch')))) info.verb = 'watch';
  else if (m === 'GET' || m === 'HEAD') info.verb = info.name ? 'get' : 'list';
  else if (m === 'POST') info.verb = 'create';
  else if (m === 'PUT') info.verb = 'update';
  else if (m === 'PATCH') info.verb = 'patch';
  else if (m === 'DELETE') info.verb = info.name ? 'delete' : 'deletecollection';
  return info;
}

export const isTrue = (v: string | null): boolean => v === 'true' || v === '1';
