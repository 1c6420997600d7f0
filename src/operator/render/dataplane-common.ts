import { mergeAll, setPath, str } from './merge.js';
import { profileValues } from './profiles.js';
import type { Platform, Values } from './types.js';

/** Operator-level values for IstioCNI/ZTunnel: profiles, then the user's values, then `global.platform` if absent. */
export function dataplaneValues(
  profile: string | undefined,
  user: Values | undefined,
  platform: Platform,
): Values {
  const values = mergeAll(profileValues(profile, platform), user);
  if (platform !== 'kubernetes' && !str(values, 'global.platform'))
    setPath(values, 'global.platform', platform);
  return values;
}

export const NODE_TOLERATIONS = [
  { effect: 'NoSchedule', operator: 'Exists' },
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { effect: 'NoExecute', operator: 'Exists' },
];

export const fieldEnv = (name: string, fieldPath: string) => ({
  name,
  valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath } },
});

export const resourceEnv = (name: string, resource: string) => ({
  name,
  valueFrom: { resourceFieldRef: { resource, divisor: '1' } },
});

export function releaseLabels(release: string, chart: string, version: string, component: string) {
  return {
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/name': release,
    'app.kubernetes.io/part-of': 'istio',
    'app.kubernetes.io/version': version,
    'helm.sh/chart': `${chart}-${version}`,
    'install.operator.istio.io/owning-resource': 'unknown',
    'operator.istio.io/component': component,
    release,
  };
}
