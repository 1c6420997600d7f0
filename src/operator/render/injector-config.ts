import { getPath, isPlainObject, list, map, str } from './merge.js';
import type { Values } from './types.js';
import { toYaml } from './mesh-config.js';

/** The injection templates Mizzen's injector implements natively; the config map names them `builtin:<name>`. */
export const BUILTIN_TEMPLATES = [
  'sidecar',
  'gateway',
  'grpc-simple',
  'grpc-agent',
  'waypoint',
  'kube-gateway',
];
export const BUILTIN_TEMPLATE_PREFIX = 'builtin:';

/**
 * The injector's `config` key (YAML): upstream's shape, except that `templates` maps the built-in template
 * names to `builtin:<name>` instead of Go template text. User templates from
 * `sidecarInjectorWebhook.templates` are passed through as their text.
 */
export function injectorConfig(values: Values): Values {
  const templates: Record<string, string> = {};
  for (const name of BUILTIN_TEMPLATES) templates[name] = `${BUILTIN_TEMPLATE_PREFIX}${name}`;
  for (const [name, text] of Object.entries(map(values, 'sidecarInjectorWebhook.templates'))) {
    templates[name] = String(text);
  }
  const defaults = list(values, 'sidecarInjectorWebhook.defaultTemplates').map(String);
  return {
    policy: str(values, 'global.proxy.autoInject', 'enabled') || 'enabled',
    alwaysInjectSelector: list(values, 'sidecarInjectorWebhook.alwaysInjectSelector'),
    neverInjectSelector: list(values, 'sidecarInjectorWebhook.neverInjectSelector'),
    injectedAnnotations: map(values, 'sidecarInjectorWebhook.injectedAnnotations'),
    defaultTemplates: defaults.length ? defaults : ['sidecar'],
    templates,
  };
}

/** The injector's `values` key (JSON): the part of the values the templates read. */
export function injectorValues(values: Values): Values {
  const cni = getPath(values, 'pilot.cni');
  const cniMap = isPlainObject(cni) ? cni : {};
  return {
    global: map(values, 'global'),
    istio_cni: { enabled: cniMap.enabled === true, provider: cniMap.provider ?? 'default' },
    pilot: { cni: cniMap },
    revision: str(values, 'revision'),
    sidecarInjectorWebhook: map(values, 'sidecarInjectorWebhook'),
  };
}

export function injectorConfigMapData(values: Values): Record<string, string> {
  return {
    config: toYaml(injectorConfig(values)),
    values: JSON.stringify(sortKeys(injectorValues(values)), null, 2),
  };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isPlainObject(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys(v[k])]),
  );
}
