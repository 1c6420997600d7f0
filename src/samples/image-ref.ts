/** A container image reference split the way registries and runtimes read it. */
export interface ImageReference {
  /** Registry host, or '' when the reference names none (Docker Hub by convention). */
  registry: string;
  /** Repository path without registry, lower-case, Docker Hub's `library/` dropped. */
  path: string;
  tag: string;
  digest: string;
}

/**
 * Parses `[registry/]path[:tag][@digest]`. The first component is a registry only when it looks like a
 * host (has a dot or a port, or is `localhost`), as the Docker reference grammar decides.
 */
export function parseImageReference(ref: string): ImageReference | undefined {
  let rest = ref.trim();
  if (rest === '' || /\s/.test(rest)) return undefined;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry = '';
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) registry = parts.shift()!;
  if (parts.some((p) => p === '')) return undefined;
  if (
    (registry === '' || registry === 'docker.io' || registry === 'index.docker.io') &&
    parts[0] === 'library'
  ) {
    parts.shift();
  }
  if (parts.length === 0) return undefined;
  return { registry, path: parts.join('/').toLowerCase(), tag, digest };
}
