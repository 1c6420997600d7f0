// Content negotiation for responses: kubectl asks for meta.k8s.io Tables; everything else gets JSON
// (or YAML when only YAML is acceptable).

export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io');
  });
}

export function wantsYaml(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((p) => p.split(';')[0].trim());
  return types[0] === 'application/yaml' && !types.includes('application/json');
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectPolicy(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
