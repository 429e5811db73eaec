/**
 * Send-time destination check (lib/notify/http.ts): the name is resolved by our own lookup and
 * every address must be public before a connection is made. A real local sink stands for the
 * internal service; it must never see the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OK, startWebhookSink, type WebhookSink } from '../../../infra/local/webhook-sink.ts';
import { createPost, NetworkError, postHttp } from '../../../lib/notify/http.ts';

let sink: WebhookSink;
beforeAll(async () => {
  sink = await startWebhookSink();
  sink.on('/internal', OK.webhook);
});
afterAll(() => sink.close());

const req = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{}' });
const port = () => new URL(sink.url('/')).port;

describe('posting to a non-public address', () => {
  it('is refused for a name that resolves to loopback (checked after DNS, before connecting)', async () => {
    const err = await postHttp(req(`http://localhost:${port()}/internal`), 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toBe('network error (EPRIVATEADDRESS)');
    expect(sink.to('/internal')).toHaveLength(0);
  });

  it('is refused for an IP literal, which never reaches DNS', async () => {
    for (const host of ['127.0.0.1', '[::1]', '169.254.169.254']) {
      const err = await postHttp(req(`http://${host}:${port()}/internal`), 2_000).catch((e: unknown) => e);
      expect((err as Error).message, host).toBe('network error (EPRIVATEADDRESS)');
    }
    expect(sink.to('/internal')).toHaveLength(0);
  });

  it('goes through with NOTIFY_ALLOW_PRIVATE_HOSTS (local development)', async () => {
    const reply = await createPost({ allowPrivateHosts: true })(
      req(`http://localhost:${port()}/internal`),
      2_000,
    );
    expect(reply.status).toBe(200);
    expect(sink.to('/internal')).toHaveLength(1);
  });
});
