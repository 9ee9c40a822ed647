/**
 * Credentials in URIs (`https://user:secret@host/…`) never reach a reply or a log: every installer
 * error is passed through {@link redactCredentials}, and such URIs are refused before any fetch.
 */

const USERINFO = /([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^/\s:@"'\\]*):([^/\s@"'\\]*)@/g;

/** `text` with the password of every `scheme://user:password@` replaced by `***`. */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO, (_all, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/**
 * @throws Error naming the redacted URI when `url` carries a user or password: this agent sends no
 * credentials, and a URI with them would be recorded in metadata and reported by `backend.list`.
 */
export function refuseCredentials(url: URL, original: string): void {
  if (url.username === '' && url.password === '') return;
  throw new Error(
    `"${redactCredentials(original)}" carries credentials (user:password@), which this agent does not send or record: serve the artifact from a URL without them`,
  );
}
