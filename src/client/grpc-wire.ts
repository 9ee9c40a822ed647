/**
 * Just enough protobuf and gRPC to make one unary call over Node's own `http2`: a field writer, a
 * field reader, the 5-byte gRPC framing and the call itself. Short-lived CLI processes use it so a
 * control does not pay for loading the full Temporal SDK (about 0.4 s of CPU for its protobuf
 * root); long-lived code uses `@temporalio/client`.
 */
import http2 from 'node:http2';

/** One encoded field: its number and either a varint, a string, bytes or a nested message. */
export type ProtoField = readonly [number, number | string | Uint8Array | readonly ProtoField[] | undefined];

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Encodes fields in order; `undefined`, `''` and `0` are left out, as proto3 does. */
export function encodeMessage(fields: readonly ProtoField[]): Buffer {
  const parts: Buffer[] = [];
  for (const [num, value] of fields) {
    if (value === undefined || value === '' || value === 0) continue;
    if (typeof value === 'number') {
      parts.push(Buffer.from([...varint(num << 3), ...varint(value)]));
      continue;
    }
    const body =
      typeof value === 'string'
        ? Buffer.from(value, 'utf8')
        : value instanceof Uint8Array
          ? Buffer.from(value)
          : encodeMessage(value);
    parts.push(Buffer.from([...varint((num << 3) | 2), ...varint(body.length)]), body);
  }
  return Buffer.concat(parts);
}

/** A decoded field: varints as numbers, length-delimited fields as bytes (decode nested ones again). */
export interface DecodedField {
  num: number;
  value: number | Buffer;
}

/** Decodes the top-level fields of a message; fixed-width fields are skipped. */
export function decodeMessage(bytes: Buffer): DecodedField[] {
  const fields: DecodedField[] = [];
  let pos = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[pos++];
      if (byte === undefined) throw new Error('truncated protobuf message');
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
  };
  while (pos < bytes.length) {
    const key = readVarint();
    const num = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) fields.push({ num, value: readVarint() });
    else if (wire === 2) {
      const length = readVarint();
      if (pos + length > bytes.length) throw new Error('truncated protobuf message');
      fields.push({ num, value: bytes.subarray(pos, pos + length) });
      pos += length;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
  return fields;
}

/** The bytes of field `num` (first occurrence), or undefined. */
export function bytesField(fields: readonly DecodedField[], num: number): Buffer | undefined {
  const found = fields.find((f) => f.num === num && Buffer.isBuffer(f.value));
  return found?.value as Buffer | undefined;
}

/** The varint of field `num`, or 0. */
export function numberField(fields: readonly DecodedField[], num: number): number {
  const found = fields.find((f) => f.num === num && typeof f.value === 'number');
  return (found?.value as number | undefined) ?? 0;
}

/** A gRPC status other than OK, as the server sent it. */
export class GrpcStatusError extends Error {
  override readonly name = 'GrpcStatusError';

  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The server could not be reached (refused, timed out, TLS failed); `detail` is the cause. */
export class GrpcConnectError extends Error {
  override readonly name = 'GrpcConnectError';
}

/** Where and how to call. */
export interface GrpcTarget {
  /** `https://host:port` or `http://host:port`. */
  authority: string;
  /** TLS material for `https`. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** Extra request headers (`authorization`, `temporal-namespace`). */
  headers?: Record<string, string>;
  /** How long to wait for the connection. */
  connectTimeoutMs: number;
  /** How long the call may take once connected (also sent as `grpc-timeout`). */
  callTimeoutMs: number;
}

/** Makes one unary gRPC call and resolves with the reply message's bytes. */
export async function unaryCall(target: GrpcTarget, method: string, request: Buffer): Promise<Buffer> {
  return await new Promise((resolve, reject) => {
    const session = http2.connect(target.authority, target.tls ?? {});
    let timer = setTimeout(
      () => fail(new GrpcConnectError(`no connection within ${target.connectTimeoutMs} ms`)),
      target.connectTimeoutMs,
    );
    session.once('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(new GrpcStatusError(4, `no reply within ${target.callTimeoutMs} ms`)),
        target.callTimeoutMs + 1_000,
      );
    });
    let settled = false;
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      reject(err);
    }
    session.on('error', (err: Error) => fail(new GrpcConnectError(err.message)));
    const stream = session.request({
      ':method': 'POST',
      ':path': method,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${target.callTimeoutMs}m`,
      ...target.headers,
    });
    const chunks: Buffer[] = [];
    let status: { code: number; message: string } | undefined;
    const readStatus = (headers: http2.IncomingHttpHeaders): void => {
      const code = headers['grpc-status'];
      if (code === undefined) return;
      const message = headers['grpc-message'];
      status = {
        code: Number(code),
        message: typeof message === 'string' ? decodeURIComponent(message) : '',
      };
    };
    stream.on('response', readStatus);
    stream.on('trailers', readStatus);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (err: Error) => fail(new GrpcConnectError(err.message)));
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.close();
      if (status === undefined) return reject(new GrpcConnectError('the server ended the call without a status'));
      if (status.code !== 0) return reject(new GrpcStatusError(status.code, status.message));
      const body = Buffer.concat(chunks);
      if (body.length < 5) return resolve(Buffer.alloc(0));
      resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
    });
    const frame = Buffer.alloc(5 + request.length);
    frame.writeUInt32BE(request.length, 1);
    request.copy(frame, 5);
    stream.end(frame);
  });
}
