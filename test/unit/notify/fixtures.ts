/** Sample events and channels for the notifier's tests. */

import type { ChangeEvent } from '../../../lib/model/schemas.ts';
import type { ChannelConfig } from '../../../lib/notify/config.ts';
import { DEFAULT_OPTIONS, type NotifyOptions } from '../../../lib/notify/config.ts';

export const T0 = '2026-11-28T10:00:00.000Z';

export function event(over: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    id: 'evt_0000000000000000000000000a',
    type: 'PEERING_FAILED',
    region: 'cn-north-4',
    projectId: 'p1',
    connectionId: 'c-1',
    connectionName: 'orders-db',
    queue: 'etl_queue',
    peerId: null,
    peeringKey: null,
    resourceKind: 'queue',
    previousStatus: 'ACTIVE',
    status: 'FAILED',
    error: 'DLI.0001: route table conflict',
    detectedAt: T0,
    connectionVersion: 2,
    runId: 'run-1',
    silencedBy: null,
    acknowledgedBy: null,
    acknowledgedAt: null,
    ...over,
  };
}

export function channel(over: Partial<ChannelConfig> = {}): ChannelConfig {
  return {
    name: 'ops',
    type: 'slack',
    url: 'https://hooks.example.com/services/T/B/SECRETTOKEN',
    recovered: true,
    ...over,
  };
}

export const OPTIONS: NotifyOptions = DEFAULT_OPTIONS;

/** Strings a hostile connection name or DLI error could carry. */
export const HOSTILE = [
  '@all @channel @here @everyone @所有人',
  '<!channel> <!here> <!everyone> <@U123> <#C1> <users/all> <at id=all></at> <at user_id="all">x</at>',
  '*bold* _it_ ~strike~ `code` ```block``` [link](https://evil.example) <https://evil.example|click>',
  '# heading\n> quote\n- item\n1. one\n| a | b |',
  '<font color="warning">x</font> <b>bold</b> &amp; {{DATE(2017-02-14T06:08:39Z, SHORT)}}',
  '\u202Eevil\u202C \u0000nul \u0007bell',
];
