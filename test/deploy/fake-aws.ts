/**
 * Just enough of SSM (GetParameter) and SQS (SendMessageBatch) on loopback for the bundle tests:
 * the real SDK clients inside the bundles talk to it through AWS_ENDPOINT_URL_SSM / _SQS and the
 * queue URL, speaking the JSON protocols those services use. Not a general emulator.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAws {
  url: string;
  queueUrl: string;
  /** Parameter name → value; change it between invocations to see the cache. */
  parameters: Map<string, string>;
  /** Message bodies received by SendMessageBatch, in order. */
  messages: string[];
  /** GetParameter calls received, by parameter name. */
  reads: string[];
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, json: unknown, version: '1.0' | '1.1'): void {
  const text = JSON.stringify(json);
  res.writeHead(status, {
    'content-type': `application/x-amz-json-${version}`,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

export async function startFakeAws(): Promise<FakeAws> {
  const parameters = new Map<string, string>();
  const messages: string[] = [];
  const reads: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = await body(req);
      if (target === 'AmazonSSM.GetParameter') {
        const name = String(input.Name);
        reads.push(name);
        const value = parameters.get(name);
        if (value === undefined) {
          send(res, 400, { __type: 'ParameterNotFound', message: `no parameter ${name}` }, '1.1');
          return;
        }
        send(res, 200, { Parameter: { Name: name, Type: 'SecureString', Value: value, Version: 1 } }, '1.1');
        return;
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const entries = (input.Entries ?? []) as { Id: string; MessageBody: string }[];
        messages.push(...entries.map((e) => e.MessageBody));
        send(
          res,
          200,
          {
            Successful: entries.map((e) => ({
              Id: e.Id,
              MessageId: randomUUID(),
              MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex'),
            })),
            Failed: [],
          },
          '1.0',
        );
        return;
      }
      send(res, 400, { __type: 'UnknownOperationException', message: target }, '1.0');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    queueUrl: `${url}/123456789012/dli-sync-test-fanout`,
    parameters,
    messages,
    reads,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
