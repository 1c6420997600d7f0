// Picks the Table convertor for a resource: built-in printers, CRD printer columns, or NAME/AGE.
import {
  builtinTableConvertor,
  crdTableConvertor,
  defaultTableConvertor,
  type TableConvertor,
} from '../tables/index.js';
import type { ResourceInfo } from '../resources/resource.js';

const cache = new WeakMap<ResourceInfo, Map<string, TableConvertor>>();

export function convertorFor(info: ResourceInfo, version: string): TableConvertor {
  let byVersion = cache.get(info);
  if (!byVersion) cache.set(info, (byVersion = new Map()));
  let c = byVersion.get(version);
  if (!c) {
    if (info.origin === 'crd') {
      const cols = info.printerColumns?.(version);
      c = crdTableConvertor(cols ?? []);
    } else {
      c = builtinTableConvertor(info.group, info.plural) ?? defaultTableConvertor;
    }
    byVersion.set(version, c);
  }
  return c;
}
