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
  const parts: string[] = [];
  for (const p of path.split('/')) if (p.length > 0) parts.push(p.includes('%') ? decodeURIComponent(p) : p);
  const info: RequestInfo = {
    isResource: false,
    path,
    group: '',
    version: '',
    verb: method.toLowerCase(),
    prefix: parts[0] ?? '',
  };
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 2) return info;
    info.version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 3) {
      info.group = parts[1] ?? '';
      return info;
    }
    info.group = parts[1];
    info.version = parts[2];
    rest = parts.slice(3);
  } else {
    return info;
  }
  if (rest.length === 0) return info;
  info.isResource = true;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    if (rest.length > 2 && !namespaceSubresources.has(rest[2])) rest = rest.slice(2);
  }
  info.resource = rest[0];
  if (rest.length > 1) info.name = rest[1];
  if (rest.length > 2) info.subresource = rest[2];
  // /api/v1/namespaces/x addresses the namespace itself, not a namespaced resource.
  if (info.resource === 'namespaces' && info.namespace !== undefined && rest[0] === 'namespaces') {
    info.name = info.namespace;
    info.namespace = undefined;
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      info.verb = watchPath || isTrue(query.get('watch')) ? 'watch' : info.name ? 'get' : 'list';
      break;
    case 'POST':
      info.verb = 'create';
      break;
    case 'PUT':
      info.verb = 'update';
      break;
    case 'PATCH':
      info.verb = 'patch';
      break;
    case 'DELETE':
      info.verb = info.name ? 'delete' : 'deletecollection';
      break;
    default:
      if (watchPath) info.verb = 'watch';
  }
  return info;
}

export const isTrue = (v: string | null): boolean => v === 'true' || v === '1';
