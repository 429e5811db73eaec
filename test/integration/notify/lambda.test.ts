/** functions/notify.ts: its cold start (lib/lambda.ts) caches a working notifier, never a failure. */
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../../support/store.ts';

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
});

describe('functions/notify.ts (the stream Lambda handler)', () => {
  it('fails an invocation on a bad channel list, then works once it is fixed, without a new container', async () => {
    const store = await createTestStore();
    Object.assign(process.env, LOCAL_AWS_ENV, {
      AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
      TABLE_NAME: store.tableName,
      NOTIFY_CHANNELS: '{not json',
    });
    delete process.env.NOTIFY_CHANNELS_PARAMETER;
    const { handler } = await import('../../../functions/notify.ts');
    await expect(handler({ Records: [] })).rejects.toThrow(ConfigError);
    await expect(handler({ Records: [] })).rejects.toThrow(/NOTIFY_CHANNELS/);
    process.env.NOTIFY_CHANNELS = '[]';
    await expect(handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });
});
