/** PagerDuty and JSM drivers, their configuration and the legacy Opsgenie host: pure. */
import { describe, expect, it } from 'vitest';
import { jsm, legacyHostWarning, OPSGENIE_END } from '../../../lib/notify/channels/jsm.ts';
import { pagerduty } from '../../../lib/notify/channels/pagerduty.ts';
import type { HttpReply } from '../../../lib/notify/channels/types.ts';
import { parseChannels } from '../../../lib/notify/config.ts';
import { eventMessage, flappingMessage, type Message } from '../../../lib/notify/message.ts';
import { channel, event, OPTIONS } from './fixtures.ts';

const NOW = Date.parse('2026-11-28T10:00:05.000Z');
const tpl = { consoleUrlTemplate: OPTIONS.consoleUrlTemplate };
const PD_KEY = 'R0UTINGKEY0123456789abcdefABCDEF';
const JSM_KEY = '8f0c3c1e-5b7a-4d7e-9a53-0d5f1f7c2b11';
const pdChannel = channel({
  type: 'pagerduty',
  url: 'https://events.pagerduty.com/v2/enqueue',
  secret: PD_KEY,
});
const jsmChannel = channel({
  type: 'jsm',
  url: 'https://api.atlassian.com/jsm/ops/integration/v2/alerts',
  secret: JSM_KEY,
});
const failed = eventMessage(event(), tpl);
const recovered = eventMessage(
  event({ type: 'PEERING_RECOVERED', previousStatus: 'FAILED', status: 'ACTIVE', error: null, id: 'evt_r' }),
  tpl,
);
const deleted = eventMessage(
  event({ type: 'CONNECTION_DELETED', queue: null, status: 'DELETED', error: null }),
  tpl,
);
const pdBody = (m: Message, c = pdChannel) =>
  JSON.parse(pagerduty.render(m, c, NOW).body) as Record<string, unknown>;
const jsmBody = (m: Message, c = jsmChannel) =>
  JSON.parse(jsm.render(m, c, NOW).body) as Record<string, unknown>;
const reply = (status: number, body = '', headers: Record<string, string> = {}): HttpReply => ({
  status,
  body,
  headers,
});

describe('messages for paging', () => {
  it('a failure triggers and its recovery resolves the same alert key', () => {
    expect(failed).toMatchObject({ action: 'trigger', alertKey: 'cn-north-4/p1/c-1/etl_queue' });
    expect(recovered).toMatchObject({ action: 'resolve', alertKey: 'cn-north-4/p1/c-1/etl_queue' });
    expect(deleted).toMatchObject({ action: 'trigger', alertKey: 'cn-north-4/p1/c-1' });
    expect(flappingMessage(event(), { ...tpl, failures: 4, windowMs: 3_600_000 }).action).toBe('trigger');
  });
});

describe('pagerduty', () => {
  it('renders a trigger with routing key, dedup key, payload and console link', () => {
    const r = pagerduty.render(failed, pdChannel, NOW);
    expect(r.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(JSON.parse(r.body)).toEqual({
      routing_key: PD_KEY,
      event_action: 'trigger',
      dedup_key: 'cn-north-4/p1/c-1/etl_queue',
      payload: {
        summary:
          'Peering failed: orders-db ↔ etl_queue: The peering of DLI enhanced connection orders-db with queue etl_queue is FAILED.',
        source: 'dli cn-north-4/p1',
        severity: 'error',
        timestamp: '2026-11-28T10:00:00.000Z',
        component: 'orders-db',
        group: 'cn-north-4/p1',
        class: 'PEERING_FAILED',
        custom_details: {
          Connection: 'orders-db (c-1)',
          Queue: 'etl_queue',
          Region: 'cn-north-4',
          Project: 'p1',
          Status: 'ACTIVE → FAILED',
          'Detected at': '2026-11-28T10:00:00.000Z',
          Event: 'evt_0000000000000000000000000a',
          'DLI error': 'DLI.0001: route table conflict',
          // The cause hint of the error text (lib/model/hints.ts) goes to the incident too.
          'Likely cause': expect.stringContaining('route'),
          'Next step': expect.any(String),
          'DLI FAQ': expect.stringContaining('dli_03_0179'),
        },
      },
      links: [
        {
          href: 'https://console.huaweicloud.com/dli/?region=cn-north-4#/main/enhancedConnections',
          text: 'Open in Huawei Cloud console',
        },
      ],
      client: 'dli-sync',
    });
  });
  it('resolve and acknowledge carry only the key', () => {
    expect(pdBody(recovered)).toEqual({
      routing_key: PD_KEY,
      event_action: 'resolve',
      dedup_key: 'cn-north-4/p1/c-1/etl_queue',
    });
    expect(pdBody({ ...failed, action: 'acknowledge' })).toMatchObject({
      event_action: 'acknowledge',
      dedup_key: 'cn-north-4/p1/c-1/etl_queue',
    });
  });
  it('severity: deletion critical, failure error, held deletions warning; the channel overrides', () => {
    expect((pdBody(deleted).payload as { severity: string }).severity).toBe('critical');
    const held = eventMessage(
      event({
        type: 'DELETIONS_HELD',
        connectionId: null,
        connectionName: null,
        queue: null,
        heldDeletions: 7,
        status: 'HELD',
      }),
      tpl,
    );
    expect((pdBody(held).payload as { severity: string }).severity).toBe('warning');
    expect(
      (pdBody(failed, { ...pdChannel, severity: 'critical' }).payload as { severity: string }).severity,
    ).toBe('critical');
  });
  it('cuts the summary at 1,024 and hash-shortens a long key deterministically, distinct keys stay distinct', () => {
    const long = 'q'.repeat(400);
    const a = pdBody(eventMessage(event({ queue: long, connectionName: 'n'.repeat(5000) }), tpl));
    const b = pdBody(eventMessage(event({ queue: `${long}x` }), tpl));
    expect((a.payload as { summary: string }).summary.length).toBe(1024);
    expect((a.dedup_key as string).length).toBe(255);
    expect((b.dedup_key as string).length).toBe(255);
    expect(a.dedup_key).not.toBe(b.dedup_key);
    // The resolve of that peering computes the same key.
    expect(
      pdBody(eventMessage(event({ queue: long, type: 'PEERING_RECOVERED', error: null }), tpl)).dedup_key,
    ).toBe(a.dedup_key);
  });
  it('a key with odd characters or a scheme is cleaned and hashed, so no forwarded chat links or mentions it', () => {
    for (const queue of ['https://evil.example/x', '@all <!channel>']) {
      const k = pdBody(eventMessage(event({ queue }), tpl)).dedup_key as string;
      expect(k).toMatch(/^cn-north-4\/p1\/c-1\/[A-Za-z0-9_./#~-]+~[A-Za-z0-9_-]{43}$/);
      expect(k).not.toContain('://');
    }
  });
  it('202 is success; 400 is final; 429 waits for Retry-After or backs off; 5xx backs off', () => {
    expect(pagerduty.judge(reply(202, '{"status":"success","dedup_key":"k"}'), NOW)).toEqual({ ok: true });
    expect(
      pagerduty.judge(
        reply(
          400,
          `{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key ${PD_KEY}"]}`,
        ),
        NOW,
      ),
    ).toEqual({ ok: false, retry: 'never', reason: 'HTTP 400: Invalid routing key <redacted>' });
    expect(pagerduty.judge(reply(429, '', { 'retry-after': '3' }), NOW)).toMatchObject({
      retry: 'after',
      afterMs: 3000,
    });
    expect(pagerduty.judge(reply(429), NOW)).toMatchObject({ retry: 'backoff' });
    expect(pagerduty.judge(reply(503), NOW)).toMatchObject({ retry: 'backoff' });
  });
});

describe('jsm', () => {
  it('creates with alias, priority, responders and the GenieKey header', () => {
    const r = jsm.render(failed, { ...jsmChannel, responders: [{ type: 'team', name: 'dli-oncall' }] }, NOW);
    expect(r.url).toBe('https://api.atlassian.com/jsm/ops/integration/v2/alerts');
    expect(r.headers.authorization).toBe(`GenieKey ${JSM_KEY}`);
    const b = JSON.parse(r.body) as Record<string, unknown>;
    expect(b).toMatchObject({
      message: 'Peering failed: orders-db ↔ etl_queue',
      alias: 'cn-north-4:p1:c-1:etl_queue',
      tags: ['dli-sync', 'PEERING_FAILED', 'cn-north-4'],
      entity: 'orders-db',
      source: 'dli-sync',
      priority: 'P2',
      responders: [{ type: 'team', name: 'dli-oncall' }],
    });
    expect(b.description).toContain('DLI error:\nDLI.0001: route table conflict');
    expect(b.description).toContain('https://console.huaweicloud.com/dli/?region=cn-north-4');
  });
  it('closes and acknowledges by alias', () => {
    const close = jsm.render(recovered, jsmChannel, NOW);
    expect(close.url).toBe(
      'https://api.atlassian.com/jsm/ops/integration/v2/alerts/cn-north-4%3Ap1%3Ac-1%3Aetl_queue/close?identifierType=alias',
    );
    expect(JSON.parse(close.body)).toMatchObject({ source: 'dli-sync' });
    expect(jsm.render({ ...failed, action: 'acknowledge' }, jsmChannel, NOW).url).toMatch(
      /\/acknowledge\?identifierType=alias$/,
    );
  });
  it('priority by tone (deletion P1), overridden per channel; message ≤ 130, description ≤ 15,000', () => {
    expect(jsmBody(deleted).priority).toBe('P1');
    expect(jsmBody(failed, { ...jsmChannel, priority: 'P4' }).priority).toBe('P4');
    const huge = jsmBody(
      eventMessage(event({ connectionName: 'n'.repeat(500), error: 'e'.repeat(1_000_000) }), tpl),
    );
    expect((huge.message as string).length).toBe(130);
    expect((huge.description as string).length).toBeLessThanOrEqual(15_000);
    expect(huge.description).toContain('Open in Huawei Cloud console');
  });
  it('2xx is success; a refused key is final with a reason that does not carry it', () => {
    expect(jsm.judge(reply(202, '{"result":"Request will be processed"}'), NOW)).toEqual({ ok: true });
    const v = jsm.judge(reply(401, `{"message":"Could not authenticate GenieKey ${JSM_KEY}"}`), NOW);
    expect(v).toEqual({
      ok: false,
      retry: 'never',
      reason: 'HTTP 401: Could not authenticate GenieKey <redacted>',
    });
    expect(jsm.judge(reply(429), NOW)).toMatchObject({ retry: 'backoff' });
  });
  it('the legacy Opsgenie hosts: accepted, a warning before April 5, 2027, a louder one after', () => {
    const legacy = { name: 'og', type: 'jsm', url: 'https://api.eu.opsgenie.com/v2/alerts' };
    expect(legacyHostWarning(jsmChannel, OPSGENIE_END)).toBeNull();
    expect(legacyHostWarning(legacy, OPSGENIE_END - 1)).toBe(
      'channel og: api.eu.opsgenie.com is Opsgenie, which Atlassian ends on 2027-04-05; set its url to https://api.atlassian.com/jsm/ops/integration/v2/alerts',
    );
    expect(legacyHostWarning(legacy, OPSGENIE_END)).toMatch(
      /^channel og: api\.eu\.opsgenie\.com is Opsgenie, which Atlassian ended on 2027-04-05; its alerts will fail/,
    );
  });
});

describe('configuration', () => {
  const parse = (entry: Record<string, unknown>) => () =>
    parseChannels(JSON.stringify([{ name: 'p', ...entry }]));
  it('admits exactly the official hosts', () => {
    for (const url of [
      'https://events.pagerduty.com/v2/enqueue',
      'https://events.eu.pagerduty.com/v2/enqueue',
    ])
      expect(parse({ type: 'pagerduty', url, secret: PD_KEY })()).toHaveLength(1);
    for (const url of [
      'https://api.atlassian.com/jsm/ops/integration/v2/alerts',
      'https://api.opsgenie.com/v2/alerts',
      'https://api.eu.opsgenie.com/v2/alerts',
    ])
      expect(parse({ type: 'jsm', url, secret: JSM_KEY })()).toHaveLength(1);
    expect(
      parse({ type: 'pagerduty', url: 'https://events.pagerduty.com.evil.example/v2/enqueue', secret: 'k' }),
    ).toThrow(
      'NOTIFY_CHANNELS[0] ("p"): url host is not a pagerduty webhook host; expected events.pagerduty.com, events.eu.pagerduty.com',
    );
    expect(parse({ type: 'jsm', url: 'https://hooks.slack.com/x', secret: 'k' })).toThrow(
      /url host is not a jsm webhook host/,
    );
    expect(parse({ type: 'slack', url: 'https://events.pagerduty.com/v2/enqueue' })).toThrow(
      /not a slack webhook host/,
    );
  });
  it('needs the key as secret, and never quotes it', () => {
    expect(parse({ type: 'pagerduty', url: 'https://events.pagerduty.com/v2/enqueue' })).toThrow(
      'NOTIFY_CHANNELS[0] ("p"): type pagerduty needs a secret: the Events API v2 integration (routing) key',
    );
    expect(parse({ type: 'jsm', url: 'https://api.atlassian.com/jsm/ops/integration/v2/alerts' })).toThrow(
      /type jsm needs a secret: the API integration key/,
    );
    expect(
      parse({
        type: 'pagerduty',
        url: 'https://events.pagerduty.com/v2/enqueue',
        secret: PD_KEY,
        severity: 'loud',
      }),
    ).toThrow('NOTIFY_CHANNELS[0] ("p"): severity must be one of critical, error, warning, info');
  });
  it('severity only for pagerduty, priority and responders only for jsm', () => {
    expect(parse({ type: 'slack', url: 'https://hooks.slack.com/x', severity: 'info' })).toThrow(
      /severity is used only by type pagerduty/,
    );
    expect(
      parse({
        type: 'pagerduty',
        url: 'https://events.pagerduty.com/v2/enqueue',
        secret: 'k',
        priority: 'P1',
      }),
    ).toThrow(/priority is used only by type jsm/);
    expect(
      parse({
        type: 'jsm',
        url: 'https://api.atlassian.com/jsm/ops/integration/v2/alerts',
        secret: 'k',
        responders: [{ type: 'crew', name: 'x' }],
      }),
    ).toThrow(/responders type must be one of team, user, escalation, schedule/);
  });
});
