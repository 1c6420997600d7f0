// Reading the operator's rendered ConfigMaps into an InjectionContext: `istio-sidecar-injector[-rev]` holds
// `config` (YAML: policy, selectors, injectedAnnotations, defaultTemplates, aliases; its Go `templates` are
// ignored, Mizzen's templates are built in) and `values` (JSON of the Helm values); `istio[-rev]` holds `mesh`.

import { parse as parseYaml } from 'yaml';
import type { InjectionContext, InjectionValues, InjectorConfig, MeshConfig } from './types.js';

function parseObject(text: string | undefined, what: string, json: boolean): Record<string, unknown> {
  if (!text) return {};
  let v: unknown;
  try {
    v = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`invalid ${what}: ${(e as Error).message}`);
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new Error(`invalid ${what}: not a mapping`);
  return v as Record<string, unknown>;
}

export interface InjectorConfigMapData {
  config?: string;
  values?: string;
}

export function contextFromConfigMaps(
  injector: InjectorConfigMapData,
  meshData: { mesh?: string },
  extra: Partial<InjectionContext> = {},
): InjectionContext {
  const raw = parseObject(injector.config, 'injector config', false);
  const values = parseObject(injector.values, 'injector values', true) as InjectionValues;
  const mesh = parseObject(meshData.mesh, 'mesh config', false) as MeshConfig;
  const config: InjectorConfig = {
    policy: raw.policy === 'disabled' ? 'disabled' : 'enabled',
    alwaysInjectSelector: raw.alwaysInjectSelector as InjectorConfig['alwaysInjectSelector'],
    neverInjectSelector: raw.neverInjectSelector as InjectorConfig['neverInjectSelector'],
    injectedAnnotations: raw.injectedAnnotations as InjectorConfig['injectedAnnotations'],
    defaultTemplates: raw.defaultTemplates as InjectorConfig['defaultTemplates'],
    aliases: raw.aliases as InjectorConfig['aliases'],
  };
  return { revision: values.revision ?? '', config, values, mesh, ...extra };
}
