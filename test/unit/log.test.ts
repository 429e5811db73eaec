import { describe, expect, it } from 'vitest';
import { entryLogger } from '../../lib/log.ts';

describe('entryLogger', () => {
  it('sends each entry to the logger method of its level, the message apart from the fields', () => {
    const calls: [string, string, Record<string, unknown>][] = [];
    const record = (level: string) => (message: string, fields: Record<string, unknown>) => {
      calls.push([level, message, fields]);
    };
    const log = entryLogger({ error: record('error'), warn: record('warn'), info: record('info') } as never);
    log({ level: 'ERROR', message: 'delivery failed', channel: 'slack' });
    log({ level: 'WARN', message: 'paced', waitMs: 10 });
    log({ level: 'INFO', message: 'delivered' });
    log({ message: 42 });
    expect(calls).toEqual([
      ['error', 'delivery failed', { channel: 'slack' }],
      ['warn', 'paced', { waitMs: 10 }],
      ['info', 'delivered', {}],
      ['info', 'log entry', {}],
    ]);
  });
});
