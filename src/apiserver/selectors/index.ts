export type { LabelOperator, LabelRequirement, LabelSelector, LabelSelectorObject } from './labels.js';
export {
  parseLabelSelector,
  labelSelectorFromObject,
  matchesLabels,
  labelSelectorToString,
  formatLabels,
  formatLabelSelector,
  everything,
  nothing,
  isEverything,
} from './labels.js';
export type { FieldRequirement, FieldSelector, FieldSetFn } from './fields.js';
export {
  parseFieldSelector,
  fieldSelectorMatcher,
  fieldSelectorToString,
  convertFieldSelector,
  escapeFieldValue,
  unescapeFieldValue,
  requiredFieldValue,
} from './fields.js';
export { fieldsFor, crdFieldsFor } from './fieldsets.js';
