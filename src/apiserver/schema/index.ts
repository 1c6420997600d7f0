export { builtinSchemas, goTypeHints, type BuiltinRoot, type BuiltinSchemas } from './builtin.js';
export { withDescriptions, modelDocs } from './descriptions.js';
export {
  processObject,
  OBJECT_META_REF,
  type FieldValidation,
  type ProcessOptions,
  type ProcessResult,
} from './structural.js';
export { validateCrd, crdVersionSchema } from './crd.js';
export { fileModelSource, classModelSource, type ModelSource, type ModelAttribute } from './models.js';
export { SCHEMA_PREFIX, componentName, parseModelName } from './names.js';
