/**
 * `npm start`: the main job on the embedded default, no cloud account. Starts DynamoDB Local and the
 * DLI emulator, then runs a few sync cycles while the emulator's data changes (a peering fails, a
 * connection is deleted, the peering recovers), showing progress, the events and the history.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDliEmulator } from '../infra/local/dli-emulator.ts';
import { startDynamoDbLocal } from '../infra/local/dynamodb-local.ts';
import { makeConnections } from '../infra/local/emulator-data.ts';
import { startStreamPoller } from '../infra/local/stream-poller.ts';
import { startWebhookSink } from '../infra/local/webhook-sink.ts';
import { acknowledge } from '../lib/api/ack.ts';
import { addSilence } from '../lib/api/silences.ts';
import { loadSyncConfig } from '../lib/config.ts';
import { closeDliPools } from '../lib/dli/client.ts';
import { eventView } from '../lib/model/event-view.ts';
import { loadNotifyOptions, parseChannels } from '../lib/notify/config.ts';
import { createStreamHandler } from '../lib/notify/handler.ts';
import { buildReport } from '../lib/report/build.ts';
import { createStore } from '../lib/store/client.ts';
import { listConnections, listEvents, listHistory } from '../lib/store/query.ts';
import { setupTable } from '../lib/store/setup.ts';
import { keys } from '../lib/store/table.ts';
import { syncAll } from '../lib/sync/run.ts';
import { showDiscovery } from './demo-discovery.ts';
import { connectionsTable, eventsTable, historyTable, runLine } from './format.ts';

const say = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};
const step = (s: string): void => say(`\n\x1b[1m== ${s}\x1b[0m`);

const AK = 'DEMOACCESSKEY0000001';
const SK = 'demo-secret-key-not-a-real-one';
const PROJECT = 'demo0project0000000000000000001';

async function main(): Promise<void> {
  step('starting DynamoDB Local, the DLI emulator and a local chat webhook sink');
  const ddb = await startDynamoDbLocal();
  const dli = await startDliEmulator({ credentials: { [AK]: SK }, latencyMs: 20 });
  const sink = await startWebhookSink();
  let stopPoller: (() => Promise<void>) | undefined;
  try {
    const env = {
      DLI_TARGETS: `cn-north-4:${PROJECT}`,
      DLI_ENDPOINT: dli.url,
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
      TABLE_NAME: 'dli-sync-demo',
    };
    const config = loadSyncConfig(env);
    const store = createStore({
      tableName: config.tableName,
      retentionDays: config.retentionDays,
      clientConfig: {
        endpoint: ddb.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      },
    });
    say(`DynamoDB Local at ${ddb.endpoint}, DLI emulator at ${dli.url}, webhook sink at ${sink.url('/')}`);
    await setupTable(store);

    // The notifier, fed by the table's stream exactly as the Lambda event source would feed it,
    // posting to a Slack-shaped endpoint and a signed generic webhook on the local sink.
    const channels = parseChannels(
      JSON.stringify([
        { name: 'team-slack', type: 'slack', url: sink.url('/slack') },
        { name: 'ops-webhook', type: 'webhook', url: sink.url('/hook'), secret: 'demo-webhook-secret' },
      ]),
      'NOTIFY_CHANNELS',
      // The sink is on loopback: local development's NOTIFY_ALLOW_PRIVATE_HOSTS=true.
      { allowPrivateHosts: true },
    );
    const handler = createStreamHandler({
      store,
      channels,
      // The demo prints what reached the sink instead of the notifier's JSON log lines.
      deps: { options: loadNotifyOptions({ NOTIFY_ALLOW_PRIVATE_HOSTS: 'true' }), log: () => {} },
    });
    const poller = startStreamPoller({ store, handler, intervalMs: 100, log: () => {} });
    stopPoller = () => poller.stop();

    // 250 generated connections (3 pages of 100) plus three named ones the story follows.
    // Start healthy, so that the events that follow are the story's.
    const data = makeConnections(250, { seed: 7 }).map((c) => ({
      ...c,
      available_queue_info: (c.available_queue_info as Record<string, unknown>[]).map((q) => ({
        ...q,
        status: 'ACTIVE',
        err_msg: '',
      })),
    }));
    const [orders, ftp, metrics] = data.slice(0, 3) as Record<string, unknown>[];
    Object.assign(orders as object, { name: 'orders-db' });
    Object.assign(ftp as object, { name: 'legacy-ftp' });
    Object.assign(metrics as object, { name: 'metrics-kafka' });
    dli.setConnections(PROJECT, data);

    const cycle = async (title: string): Promise<void> => {
      step(title);
      const started = Date.now();
      const summary = await syncAll(config, {
        store,
        onProgress: (p) => p.kind === 'target-done' && say(runLine(p.run)),
      });
      const events = summary.runs.reduce((n, r) => n + r.events, 0);
      say(`cycle took ${Date.now() - started} ms; ${events} new event(s)`);
      const before = sink.requests.length;
      // The run records are the last writes of a sync: once the stream shows them, its events are in too.
      const runSks = new Set(summary.runs.map((r) => keys.runSk(r.startedAt, r.runId)));
      await poller.drain(30_000, (k) => runSks.has(k.SK?.S ?? ''));
      for (const req of sink.requests.slice(before)) {
        if (req.path === '/slack') say(`  chat → team-slack: ${(req.json as { text?: string }).text ?? ''}`);
        else
          say(
            `  chat → ops-webhook: signed POST (${req.body.length} bytes, event ${String(req.headers['idempotency-key'] ?? '')})`,
          );
      }
    };

    const demoStart = new Date();
    await cycle('cycle 1: first sync (everything is new)');
    await cycle('cycle 2: nothing changed (no item writes besides the run record)');

    const failQueue = (conn: Record<string, unknown>, status: string, err: string): void => {
      const queues = conn.available_queue_info as Record<string, unknown>[];
      Object.assign(queues[0] as object, { status, err_msg: err, update_time: Date.now() });
    };
    failQueue(
      orders as Record<string, unknown>,
      'FAILED',
      'Failed to create the peering: the destination CIDR overlaps the queue CIDR',
    );
    dli.setConnections(PROJECT, data);
    await cycle('cycle 3: a peering of orders-db fails');

    step('someone is on it: dli-sync ack <event-id> --by demo-oncall --note "…"');
    const failure = (await listEvents(store)).items.find((e) => e.type === 'PEERING_FAILED');
    if (failure) {
      const acked = await acknowledge(store, failure.id, {
        by: 'demo-oncall',
        note: 'looking at the CIDR overlap',
        now: new Date().toISOString(),
      });
      if (acked.status === 'ok')
        say(`acknowledged ${failure.id} as ${acked.body.acknowledgedBy} at ${acked.body.acknowledgedAt}`);
      const before = sink.requests.length;
      // The ack outbox item (SK ACK) goes through the same stream and notifier as events.
      await poller.drain(30_000, (k) => k.SK?.S === 'ACK');
      for (const req of sink.requests.slice(before))
        if (req.path === '/slack') say(`  chat → team-slack: ${(req.json as { text?: string }).text ?? ''}`);
    }

    // Planned work on legacy-ftp: a silence holds its events from chat (stored and shown, not sent).
    const silence = await addSilence(
      store,
      { match: 'connection=legacy-ftp', until: '2h', reason: 'decommissioning', createdBy: 'demo' },
      Date.now(),
    );
    say(`\ndli-sync silence add --match connection=legacy-ftp --until 2h → ${silence.id}`);
    dli.setConnections(
      PROJECT,
      data.filter((c) => c !== ftp),
    );
    await cycle('cycle 4: legacy-ftp is deleted (silenced: no chat message)');
    for (const e of (await listEvents(store)).items.filter((x) => x.silencedBy))
      say(`  ${e.type} of ${e.connectionName ?? e.connectionId} stored, silencedBy ${e.silencedBy}`);

    failQueue(orders as Record<string, unknown>, 'active', '');
    dli.setConnections(
      PROJECT,
      data.filter((c) => c !== ftp),
    );
    await cycle('cycle 5: the orders-db peering recovers');

    step('events (dli-sync events)');
    const stored = (await listEvents(store)).items;
    say(eventsTable(stored));

    // The failure's err_msg is one the hint table knows: events --json shows this as `hint`.
    step('cause hints (the "hint" of dli-sync events --json)');
    for (const e of stored.map(eventView))
      if (e.hint)
        say(
          `${e.type} ${e.connectionName ?? ''}: ${e.hint.cause}\n  next step: ${e.hint.action}\n  ${e.hint.link}`,
        );

    step('history of orders-db (dli-sync history <id>)');
    say(historyTable((await listHistory(store, String((orders as Record<string, unknown>).id))).items));

    step('current state of the story connections (dli-sync connections)');
    const names = new Set(['orders-db', 'legacy-ftp', 'metrics-kafka']);
    say(
      connectionsTable(
        (await listConnections(store, config.targets[0]!)).items.filter((c) => names.has(c.name ?? '')),
      ),
    );

    step('discovery: every project of an account (DLI_TARGETS=auto), one of them denied');
    await showDiscovery(store, config.tableName, say);
    step('the HTML report of the demo (dli-sync report --out FILE)');
    // The window ends a second from now: the last cycle's versions are inside it.
    const window = { from: demoStart.toISOString(), to: new Date(Date.now() + 1000).toISOString() };
    const { html } = await buildReport(store, { targets: config.targets }, window, new Date());
    const reportPath = join(tmpdir(), 'dli-sync-demo-report.html');
    await writeFile(reportPath, html);
    say(reportPath);
  } finally {
    await stopPoller?.();
    await closeDliPools();
    await sink.close();
    await dli.close();
    await ddb.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
