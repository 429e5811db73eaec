/**
 * `dli-sync availability` and `GET /availability` over a stored history with failures at known
 * instants: the figures are exact to the second, the CLI and the API agree, bad input is one line.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { route } from '../../lib/api/routes.ts';
import type { AvailabilityRow } from '../../lib/report/availability.ts';
import type { Store } from '../../lib/store/client.ts';
import { encodeCursor, INVALID_CURSOR } from '../../lib/validate.ts';
import { runCli } from '../support/cli.ts';
import { TARGET } from '../support/fixtures.ts';
import { EVIL, EVIL_NAME, GONE, ORDERS, WINDOW, writeHistoryWorld } from '../support/history-world.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

let store: Store;
let env: Record<string, string>;
const window = ['--from', WINDOW.from, '--to', WINDOW.to];

beforeAll(async () => {
  store = await createTestStore();
  await writeHistoryWorld(store);
  env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: store.tableName,
    DLI_TARGETS: `${TARGET.region}:${TARGET.projectId}`,
  };
  // The in-process CLI's AWS SDK reads the endpoint and credentials from this process's environment.
  Object.assign(process.env, env);
});

/** The CLI in this process (a child process per call costs seconds; one test runs the executable). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, env, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const pick = (rows: AvailabilityRow[], id: string, key: string) =>
  rows.find((r) => r.connectionId === id && r.peeringKey === key);

describe('dli-sync availability', () => {
  it('gives every peering of the window its exact seconds, failures, MTTR and longest outage', async () => {
    const res = await runCli(['availability', ...window, '--json'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const rows = JSON.parse(res.stdout) as AvailabilityRow[];
    expect(rows).toHaveLength(4);
    expect(pick(rows, ORDERS, 'q1')).toMatchObject({
      region: TARGET.region,
      projectId: TARGET.projectId,
      connectionName: 'orders_db',
      queue: 'q1',
      seconds: { active: 8400, creating: 0, failed: 1600, absent: 0 },
      availability: 0.84,
      failures: 2,
      mttrSeconds: 600,
      longestOutageSeconds: 1000,
    });
    expect(pick(rows, ORDERS, 'q2')?.availability).toBe(1);
    expect(pick(rows, EVIL, 'q3')).toMatchObject({
      connectionName: EVIL_NAME,
      seconds: { active: 7700, creating: 300, failed: 0, absent: 2000 },
      availability: 7700 / 8000,
      failures: 0,
      mttrSeconds: null,
    });
    // Deleted at 5000: absent from then on, never counted against availability.
    expect(pick(rows, GONE, 'q1')).toMatchObject({
      seconds: { active: 5000, creating: 0, failed: 0, absent: 5000 },
      availability: 1,
    });
  });

  it('prints a table for people: a line per target, then per peering', async () => {
    const res = await cli(['availability', ...window]);
    expect(res.code).toBe(0);
    const lines = res.stdout.split('\n');
    expect(lines[0]).toBe(`window ${WINDOW.from} to ${WINDOW.to}`);
    expect(lines.find((l) => l.startsWith('cn-north-4/proj1'))).toMatch(
      /\s3\s+4\s+94\.242 %\s+2\s+10m\s+16m\s+26m$/,
    );
    expect(lines.find((l) => l.includes('orders_db') && /\sq1\s/.test(l))).toMatch(
      /84\.000 %\s+2\s+10m\s+16m\s+26m$/,
    );
  });

  it('narrows to one connection and a queue glob', async () => {
    const res = await cli(['availability', ...window, '--connection', ORDERS, '--queue', 'q?', '--csv']);
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^region,projectId,connectionId,connectionName,queue,/);
    expect(lines[1]).toContain(',8400,0,1600,0,0.84,2,1,600,1000,0');
  });

  it('refuses a window that ends before it starts, and a target that is not configured (exit 2, one line)', async () => {
    const backwards = await cli(['availability', '--from', WINDOW.to, '--to', WINDOW.from]);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr.trim()).toBe('dli-sync: --from must be at least one second before --to');
    const other = await cli(['availability', '--target', 'cn-east-3:other']);
    expect(other.code).toBe(2);
    expect(other.stderr.trim()).toMatch(/^dli-sync: --target cn-east-3:other is not a configured target/);
    expect(other.stderr.trim().split('\n')).toHaveLength(1);
    const noOut = await cli(['report']);
    expect(noOut).toEqual({
      code: 2,
      stdout: '',
      stderr: 'dli-sync: report needs --out FILE, e.g. --out report.html',
    });
  });
});

describe('GET /availability', () => {
  const ctx = () => ({ store, targets: [{ ...TARGET, endpoint: 'http://127.0.0.1:1' }] });

  it('answers the same rows as the CLI, with the summary, paged by a cursor that keeps the window', async () => {
    const fromCli = JSON.parse((await cli(['availability', ...window, '--json'])).stdout) as unknown[];
    const first = await route(ctx(), 'GET', '/availability', { ...WINDOW, limit: '3' });
    expect(first.status).toBe(200);
    const body = first.body as { items: unknown[]; cursor: string; summary: Record<string, unknown> };
    expect(body.summary).toMatchObject({ connections: 3, peerings: 4, failures: 2, mttrSeconds: 600 });
    const second = await route(ctx(), 'GET', '/availability', { cursor: body.cursor, limit: '3' });
    const rest = second.body as { items: unknown[]; cursor: string | null };
    expect(rest.cursor).toBeNull();
    expect([...body.items, ...rest.items]).toEqual(fromCli);
  });

  it('is a 400 naming the parameter for a bad one', async () => {
    const bad = await route(ctx(), 'GET', '/availability', { from: 'yesterday' });
    expect(bad).toEqual({
      status: 400,
      body: { error: 'from must be an ISO-8601 time, e.g. 2026-11-28T10:00:00Z' },
    });
    const backwards = await route(ctx(), 'GET', '/availability', { from: WINDOW.to, to: WINDOW.from });
    expect(backwards).toEqual({ status: 400, body: { error: 'from must be at least one second before to' } });
    // A cursor past the rows (hand-made: deployed cursors are also signed) is a bad cursor.
    const past = await route(ctx(), 'GET', '/availability', {
      cursor: encodeCursor({ o: 99, f: WINDOW.from, t: WINDOW.to }),
    });
    expect(past).toEqual({ status: 400, body: { error: INVALID_CURSOR } });
  });

  it('GET /report answers HTML', async () => {
    const res = await route(ctx(), 'GET', '/report', WINDOW);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('text/html; charset=utf-8');
    expect(String(res.body)).toMatch(/^<!doctype html>/);
  });
});
