/** The OCI Distribution client: references, manifests, digests and blob downloads. */
export * from './reference.js';
export * from './media-types.js';
export * from './errors.js';
export { parseChallenge, type RegistryCredentials } from './auth.js';
export {
  OciClient,
  isLoopbackRegistry,
  type OciClientOptions,
  type FetchedManifest,
  type BlobDownload,
} from './client.js';
export type { TransportOptions } from './transport.js';
