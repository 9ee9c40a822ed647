/** Gallery indexes and target resolution. */
export * from './index-file.js';
export { readGalleryIndex } from './load.js';
export { resolveTarget, indexUrls, type TargetRequest, type ResolveDeps } from './resolve-target.js';
