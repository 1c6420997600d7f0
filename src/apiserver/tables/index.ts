export type { ColumnDefinition, TableConvertor, TableRowCondition } from './types.js';
export { humanDuration } from './duration.js';
export { builtinTableConvertor } from './builtin.js';
export { crdTableConvertor, DEFAULT_CRD_COLUMNS } from './crd.js';
export type { CrdColumn } from './crd.js';
export { defaultTableConvertor, nameAgeTableConvertor } from './defaults.js';
export { toTable, parseIncludeObject } from './table.js';
export type { IncludeObject, Table, TableOptions } from './table.js';
