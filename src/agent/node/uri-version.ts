/** URIs as both the real and the simulated installer read them. */

/** A version named by a URI: an OCI tag (`…:v2`) or `v1.2.3` in a file name; `undefined` if none. */
export function versionFromUri(uri: string): string | undefined {
  const file = uri.split(/[?#]/)[0]?.split('/').pop() ?? '';
  const inName = /v?\d+(?:\.\d+)+(?:-[A-Za-z0-9.]+)?/.exec(file.replace(/\.(tar\.gz|tgz|tar)$/, ''));
  if (inName !== null) return inName[0];
  const tag = /:([A-Za-z0-9_.-]+)$/.exec(file);
  return tag?.[1];
}
