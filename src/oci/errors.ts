/** Typed failures of the OCI client; every message names the registry and the repository/tag. */

/** What went wrong talking to a registry. */
export const OciFailure = {
  /** Connection refused, DNS, TLS or timeout: the registry could not be reached. */
  Unreachable: 'Unreachable',
  /** 404: the repository, tag or blob does not exist. */
  NotFound: 'NotFound',
  /** 401/403 after the anonymous token (or the given credentials) was tried. */
  Denied: 'Denied',
  /** Any other status, or a body that is not what the spec promises. */
  BadResponse: 'BadResponse',
} as const;
export type OciFailure = (typeof OciFailure)[keyof typeof OciFailure];

/** A registry request failed; `kind` says how, the message says where and what to check. */
export class OciError extends Error {
  override readonly name = 'OciError';
  constructor(
    readonly kind: OciFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
