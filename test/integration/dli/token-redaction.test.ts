/**
 * The IAM token obtained for an IAM user is a credential like the password: a gateway that echoes
 * X-Auth-Token in its error body must not put it into the sweep's error (run records, logs).
 * A real local server plays IAM (issues the token) and a DLI gateway that echoes the header.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeDliPools } from '../../../lib/dli/client.ts';
import { clearIamTokenCache } from '../../../lib/dli/iam.ts';
import { sweepTarget } from '../../../lib/dli/sweep.ts';

const TOKEN = `MIItoken-${'z'.repeat(40)}-issued`;
const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
    res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': TOKEN });
    res.end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 86_400_000).toISOString() } }));
    return;
  }
  res.writeHead(403, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({ error_code: 'APIGW.0301', error_msg: `bad token ${req.headers['x-auth-token']}` }),
  );
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await closeDliPools();
  server.close();
});

it('blanks the IAM token a gateway echoes in its error body', async () => {
  clearIamTokenCache();
  const result = await sweepTarget(
    { region: 'cn-north-4', projectId: 'p1', endpoint: url },
    {
      credentials: { kind: 'iam', domainName: 'd', userName: 'u', password: 'pw-secret', iamEndpoint: url },
      client: { sleep: async () => {} },
    },
  );
  expect(result.complete).toBe(false);
  expect(result.error?.message).toContain('bad token [redacted]');
  expect(result.error?.message).not.toContain(TOKEN);
  expect(JSON.stringify(result)).not.toContain('zzzzzzzzzz');
});
