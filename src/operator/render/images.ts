import { str } from './merge.js';
import type { Values } from './types.js';

/**
 * Mizzen's own images. The hub stands where upstream has docker.io/istio; the tag is the Istio version the
 * resource asked for, so images, labels and status all carry it, while the image catalogue serves every
 * version with the same build.
 */
export const MIZZEN_HUB = 'mizzen';

const tagOf = (version: string) => version.replace(/^v/, '');
const ref = (image: string, version: string, variant = '') =>
  `${MIZZEN_HUB}/${image}:${tagOf(version)}${variant ? `-${variant}` : ''}`;

export const istiodImage = (version: string, variant = ''): string => ref('pilot', version, variant);
export const proxyImage = (version: string, variant = ''): string => ref('proxyv2', version, variant);
export const cniImage = (version: string, variant = ''): string => ref('install-cni', version, variant);
export const ztunnelImage = (version: string, variant = ''): string => ref('ztunnel', version, variant);

/**
 * The image a chart renders for a component: a `image` containing "/" is used as is; otherwise
 * `<hub>/<image>:<tag>[-<variant>]` with the component's hub/tag/variant falling back to `global.*`, and then
 * to Mizzen's hub and the requested version.
 */
export function componentImage(
  values: Values,
  component: string,
  defaultImage: string,
  version: string,
): string {
  const image = str(values, `${component}.image`, defaultImage) || defaultImage;
  if (image.includes('/')) return image;
  const hub = str(values, `${component}.hub`) || str(values, 'global.hub') || MIZZEN_HUB;
  const tag = str(values, `${component}.tag`) || str(values, 'global.tag') || tagOf(version);
  const variant = str(values, `${component}.variant`) || str(values, 'global.variant');
  return `${hub}/${image}:${tag}${variant ? `-${variant}` : ''}`;
}
