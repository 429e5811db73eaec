/**
 * The discovery part of `npm start` (bin/demo.ts): one account with several projects behind
 * `DLI_TARGETS=auto,!ap-*`, resolved through the emulator's IAM side and swept into the demo's
 * table. One project denies DLI access (the emulator's `deniedProjects`): its sweep shows it.
 */
import { startDliEmulator } from '../infra/local/dli-emulator.ts';
import { makeConnections } from '../infra/local/emulator-data.ts';
import { loadSyncConfig } from '../lib/config.ts';
import type { Store } from '../lib/store/client.ts';
import { resolveTargets, withResolution } from '../lib/sync/resolve.ts';
import { syncAll } from '../lib/sync/run.ts';
import { runLine } from './format.ts';

const AK = 'DEMOORGACCESSKEY0001';
const SK = 'demo-org-secret-not-a-real-one';
const id = (n: number): string => `demo0org${String(n).padStart(23, '0')}`;

export async function showDiscovery(
  store: Store,
  tableName: string,
  say: (s?: string) => void,
): Promise<void> {
  const projects = [
    { id: id(1), name: 'cn-north-4' },
    { id: id(2), name: 'cn-north-4_analytics' },
    { id: id(3), name: 'cn-south-1' },
    { id: id(4), name: 'cn-east-3' },
    { id: id(5), name: 'ap-southeast-1' },
    { id: id(6), name: 'MOS' },
  ];
  const dli = await startDliEmulator({
    credentials: {},
    accounts: { 'demo-org': { ak: AK, sk: SK, projects } },
    deniedProjects: [id(3)],
  });
  try {
    // A seed per project: connection ids are unique across projects, as DLI's UUIDs are.
    for (const [i, p] of projects.entries()) dli.setConnections(p.id, makeConnections(12, { seed: 100 + i }));
    const env = {
      DLI_TARGETS: 'auto,!ap-*',
      DLI_ENDPOINT: dli.url,
      HUAWEICLOUD_SDK_IAM_ENDPOINT: dli.url,
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
      TABLE_NAME: tableName,
    };
    say(`DLI_TARGETS=${env.DLI_TARGETS}: IAM lists ${projects.length} projects (MOS is not a region's)`);
    const configured = loadSyncConfig(env);
    const resolution = await resolveTargets(configured);
    for (const t of resolution.targets) {
      say(`  found ${t.region.padEnd(15)} ${t.projectId}  project ${t.projectName ?? '-'} (${t.source})`);
    }
    for (const p of resolution.problems) say(`  discovery problem: ${p.message}`);
    const summary = await syncAll(withResolution(configured, resolution), { store });
    for (const run of summary.runs) say(runLine(run));
  } finally {
    await dli.close();
  }
}
