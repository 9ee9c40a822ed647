/**
 * `HOST:PORT` addresses of the HTTP endpoints this project serves (`--metrics-listen`,
 * `--listen`): parsed with a clear error naming the flag, and checked for being free before a
 * server that cannot report a failed bind (the Temporal runtime's exporter) is given one.
 */
import net from 'node:net';

/** A parsed listen address. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Thrown for an unusable address; the message names the flag and the expected form. */
export class ListenAddressError extends Error {
  override readonly name = 'ListenAddressError';
}

const HOST_PORT = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[A-Za-z0-9.-]+)):(?<port>\d{1,5})$/;

/** Parses `HOST:PORT` (`[::1]:9464` for IPv6); `flag` names the flag or variable in the error. */
export function parseListenAddress(flag: string, value: string): ListenAddress {
  const match = HOST_PORT.exec(value.trim());
  const port = Number(match?.groups?.['port']);
  if (match?.groups === undefined || !Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ListenAddressError(`${flag} "${value}": expected HOST:PORT with a port 1-65535, e.g. 127.0.0.1:9464`);
  return { host: match.groups['v6'] ?? match.groups['host'] ?? '', port };
}

/** `HOST:PORT` again, with brackets around an IPv6 host. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** True for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Resolves when `address` can be bound right now; rejects with a message naming `flag` otherwise. */
export async function assertCanListen(flag: string, address: ListenAddress): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new ListenAddressError(
          `${flag} ${formatListenAddress(address)}: cannot listen there (${err.code ?? err.message}); pick a free port or another address`,
        ),
      ),
    );
    probe.listen({ host: address.host, port: address.port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
