// Built-in implementations of the sample images the guide uses (Bookinfo, httpbin, curl/sleep, helloworld).
export {
  type CatalogueEntry,
  resolveImage,
  catalogueNames,
  catalogueEntries,
  imageNotInCatalogueMessage,
  containerArgv,
  containerEnv,
} from './catalogue.js';
export { type ImageReference, parseImageReference } from './image-ref.js';
export type { Env, Program, RunContext } from './program.js';
export {
  type StartOptions,
  ImageNotInCatalogueError,
  startImage,
  mainScriptPath,
  sampleNodeArgs,
} from './run.js';
