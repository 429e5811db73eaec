/**
 * Scheduled sync: EventBridge fires, every configured target is swept and stored. Configuration is
 * parsed once per cold start; a bad configuration fails loudly on the first invocation.
 */
import { storeFor } from '../lib/app.ts';
import { loadSyncConfig, type SyncConfig } from '../lib/config.ts';
import type { Store } from '../lib/store/client.ts';
import { syncAll } from '../lib/sync/run.ts';

let cached: { config: SyncConfig; store: Store } | undefined;

export async function handler(): Promise<{
  ok: boolean;
  runs: { target: string; outcome: string; events: number; error: string | null }[];
}> {
  cached ??= (() => {
    const config = loadSyncConfig(process.env);
    return { config, store: storeFor(config) };
  })();
  const summary = await syncAll(cached.config, {
    store: cached.store,
    onProgress: (p) => {
      if (p.kind === 'target-done')
        console.log(
          JSON.stringify({
            level: p.run.outcome === 'complete' ? 'INFO' : 'WARN',
            message: 'target synced',
            run: { ...p.run, quarantined: p.run.quarantined.length },
          }),
        );
    },
  });
  const runs = summary.runs.map((r) => ({
    target: `${r.region}/${r.projectId}`,
    outcome: r.outcome,
    events: r.events,
    error: r.error,
  }));
  // A failed target is reported, not thrown: EventBridge would retry every target, and the run
  // records plus the sync-errors alarm already say what went wrong.
  return { ok: summary.ok, runs };
}
