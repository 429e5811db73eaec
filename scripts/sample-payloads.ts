/**
 * Prints one message of each kind as Slack and DingTalk receive it (the JSON body), and the
 * PagerDuty and JSM requests of one alert's life (trigger, acknowledge, resolve). Fixed events and
 * clock, placeholder URLs: the output is the same on every run, for docs and reviews.
 *
 *   node bin/run-ts.js scripts/sample-payloads.ts [--compact]   (--compact: one line per payload)
 */

import { alertKey } from '../lib/model/alert-key.ts';
import type { ChangeEvent } from '../lib/model/schemas.ts';
import { ackMessage } from '../lib/notify/ack-message.ts';
import { DRIVERS } from '../lib/notify/channels/index.ts';
import { type ChannelConfig, DEFAULT_CONSOLE_URL } from '../lib/notify/config.ts';
import { digestMessage, eventMessage, flappingMessage, type Message } from '../lib/notify/message.ts';
import { outageKey, outageMessage } from '../lib/notify/outage.ts';
import { reminderMessage } from '../lib/notify/reminder-message.ts';

const NOW = Date.parse('2026-11-28T10:05:00.000Z');
const ctx = { consoleUrlTemplate: DEFAULT_CONSOLE_URL };

const base: ChangeEvent = {
  id: 'evt_01JDF3Q8ZK4M2XW7T9V5N6B3C1',
  type: 'PEERING_FAILED',
  region: 'cn-north-4',
  projectId: '0a1b2c3d',
  connectionId: '2a6f1c3e-7d7a-4f0b-9c1e-5b2f8d9a0c11',
  connectionName: 'orders-db',
  queue: 'etl_queue',
  peerId: null,
  peeringKey: null,
  resourceKind: 'queue',
  previousStatus: 'ACTIVE',
  status: 'FAILED',
  error: 'Failed to create the peering: the CIDR 172.16.0.0/12 of the queue overlaps the VPC subnet.',
  detectedAt: '2026-11-28T10:00:00.000Z',
  connectionVersion: 3,
  runId: 'run-42',
};
const recoveredEvent: ChangeEvent = {
  ...base,
  id: 'evt_01JDF4A1B2C3D4E5F6G7H8J9K0',
  type: 'PEERING_RECOVERED',
  previousStatus: 'FAILED',
  status: 'ACTIVE',
  error: null,
  detectedAt: '2026-11-28T10:30:00.000Z',
};
const deletedEvent: ChangeEvent = {
  ...base,
  id: 'evt_01JDF5DELETEDCONNECTION0001',
  type: 'CONNECTION_DELETED',
  queue: null,
  previousStatus: 'ACTIVE',
  status: 'DELETED',
  error: null,
};

const stuckEvent: ChangeEvent = {
  ...base,
  id: 'evt_01JDF6STUCKPEERING000000001',
  type: 'PEERING_STUCK',
  previousStatus: 'CREATING',
  status: 'CREATING',
  error: null,
  creatingSince: '2026-11-28T09:40:00.000Z',
};
const target = { region: base.region, projectId: base.projectId };
const staleEvent: ChangeEvent = {
  ...base,
  ...target,
  id: 'evt_01JDF7STALETARGET0000000001',
  type: 'TARGET_STALE',
  connectionId: null,
  connectionName: null,
  queue: null,
  resourceKind: null,
  connectionVersion: null,
  previousStatus: 'ACTIVE',
  status: 'STALE',
  error:
    'DLI list connections failed: HTTP 401, APIG.0301: Incorrect IAM authentication information: verify aksk signature fail',
  lastCompleteSweepAt: '2026-11-28T07:00:00.000Z',
};
const targetRecovered: ChangeEvent = {
  ...staleEvent,
  id: 'evt_01JDF8TARGETRECOVERED000001',
  type: 'TARGET_RECOVERED',
  previousStatus: 'STALE',
  status: 'ACTIVE',
  error: null,
  detectedAt: '2026-11-28T10:30:00.000Z',
  lastCompleteSweepAt: '2026-11-28T10:30:00.000Z',
};
const deniedEvent: ChangeEvent = {
  ...staleEvent,
  id: 'evt_01JDF9TARGETDENIED000000001',
  type: 'TARGET_DENIED',
  previousStatus: 'ACTIVE',
  status: 'DENIED',
  error:
    'HTTP 403, APIG.0302: Incorrect IAM authentication information: the IAM user is not authorized to access the API',
  lastCompleteSweepAt: undefined,
};
const reminderEvent = {
  ...base,
  id: 'rem_01JDFAREMINDER00000000001',
  detectedAt: '2026-11-28T14:00:00.000Z',
  reminder: {
    kind: 'periodic' as const,
    of: base.id,
    alertKey: alertKey(base),
    openSince: base.detectedAt,
    silenceId: null,
  },
};

const failure = eventMessage(base, ctx);
const kinds: [string, Message][] = [
  ['failure', failure],
  ['recovery', eventMessage(recoveredEvent, { ...ctx, original: { id: base.id, at: base.detectedAt } })],
  ['deletion', eventMessage(deletedEvent, ctx)],
  ['flapping', flappingMessage(base, { ...ctx, failures: 4, windowMs: 60 * 60_000 })],
  ['digest', digestMessage([base, recoveredEvent, deletedEvent], { ...ctx, channel: 'ops' })],
  [
    'acknowledgement',
    ackMessage(
      base,
      {
        acknowledgedBy: 'alice',
        acknowledgedAt: '2026-11-28T10:04:00.000Z',
        ackNote: 'looking at the route tables',
      },
      ctx,
    ),
  ],
  ['reminder', reminderMessage(reminderEvent, ctx)],
  ['stuck', eventMessage(stuckEvent, ctx)],
  ['stale target', eventMessage(staleEvent, ctx)],
  ['target recovered', eventMessage(targetRecovered, ctx)],
  ['target denied', eventMessage(deniedEvent, ctx)],
  [
    'outage',
    outageMessage(
      {
        ...target,
        runId: base.runId,
        key: outageKey(target, base.runId),
        failed: 5,
        total: 6,
        events: ['q1', 'q2', 'q3', 'q4', 'q5'].map((q, i) => ({ ...base, id: `evt_outage${i}`, queue: q })),
      },
      ctx,
    ),
  ],
];

const channel = (type: ChannelConfig['type'], url: string, secret?: string): ChannelConfig => ({
  name: type,
  type,
  url,
  recovered: true,
  ...(secret ? { secret } : {}),
});
const slack = channel('slack', 'https://hooks.slack.com/services/T000/B000/XXXX');
const dingtalk = channel('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=XXXX');
const pd = channel('pagerduty', 'https://events.pagerduty.com/v2/enqueue', '<routing key>');
const jsm = channel('jsm', 'https://api.atlassian.com/jsm/ops/integration/v2/alerts', '<api key>');

const compact = process.argv.includes('--compact');
const show = (body: string): string => JSON.stringify(JSON.parse(body), null, compact ? 0 : 2);
const out: string[] = [];
for (const [kind, m] of kinds) {
  for (const c of [slack, dingtalk]) {
    out.push(`### ${kind}: ${c.type}`, '```json', show(DRIVERS[c.type].render(m, c, NOW).body), '```', '');
  }
}
const life: [string, Message][] = [
  ['trigger', failure],
  ['acknowledge', { ...failure, action: 'acknowledge' }],
  ['resolve', eventMessage(recoveredEvent, ctx)],
];
for (const c of [pd, jsm]) {
  for (const [what, m] of life) {
    const r = DRIVERS[c.type].render(m, c, NOW);
    out.push(`### ${c.type} ${what}: POST ${r.url}`, '```json', show(r.body), '```', '');
  }
}
process.stdout.write(`${out.join('\n')}\n`);
