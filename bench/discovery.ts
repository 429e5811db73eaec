/**
 * `npm run bench:discovery`: target resolution of 50 projects across 3 accounts in the emulator
 * (acct-1 and acct-2 with their own keys, acct-3 reached through an agency that acct-1 assumes):
 * wall time and IAM requests of a cold resolution (empty caches: a Lambda cold start) and of a warm
 * one (discovery and agency credentials cached), median of ROUNDS each. Exits 1 if a resolution
 * does not find exactly the 50 projects.
 */
import { loadavg } from 'node:os';
import { startDliEmulator } from '../infra/local/dli-emulator.ts';
import type { EmulatorAccount } from '../infra/local/iam-emulator.ts';
import { loadSyncConfig } from '../lib/config.ts';
import { clearAgencyCache } from '../lib/dli/agency.ts';
import { clearDiscoveryCache } from '../lib/dli/discovery.ts';
import { resolveTargets } from '../lib/sync/resolve.ts';

const ROUNDS = 20;
const REGIONS = ['cn-north-4', 'cn-east-3', 'cn-south-1', 'ap-southeast-1', 'ap-southeast-3', 'la-north-2'];

/** `count` projects: regions first, then sub-projects `region_pN`; one MOS project besides. */
function projects(prefix: string, count: number): EmulatorAccount['projects'] {
  const out: EmulatorAccount['projects'] = [{ id: `${prefix}mos`, name: 'MOS' }];
  for (let i = 0; i < count; i++) {
    const region = REGIONS[i % REGIONS.length] ?? 'cn-north-4';
    const name = i < REGIONS.length ? region : `${region}_p${i}`;
    out.push({ id: `${prefix}${String(i).padStart(30, '0')}`, name });
  }
  return out;
}

const accounts: Record<string, EmulatorAccount> = {
  'acct-1': { ak: 'BENCHAK0000000000001', sk: 'bench-sk-1', projects: projects('a1', 20) },
  'acct-2': { ak: 'BENCHAK0000000000002', sk: 'bench-sk-2', projects: projects('a2', 15) },
  'acct-3': {
    ak: 'BENCHAK0000000000003',
    sk: 'bench-sk-3',
    projects: projects('a3', 15),
    agencies: { 'dli-sync-agency': { trusted: ['acct-1'] } },
  },
};

const emu = await startDliEmulator({ credentials: {}, accounts });
const config = loadSyncConfig({
  TABLE_NAME: 'dli-sync',
  DLI_TARGETS: 'acct-1@auto,acct-2@auto,acct-1@auto via dli-sync-agency in acct-3',
  DLI_ENDPOINT: emu.url,
  HUAWEICLOUD_SDK_IAM_ENDPOINT: emu.url,
  HUAWEICLOUD_CREDENTIALS: JSON.stringify({
    'acct-1': { ak: 'BENCHAK0000000000001', sk: 'bench-sk-1' },
    'acct-2': { ak: 'BENCHAK0000000000002', sk: 'bench-sk-2' },
  }),
});

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function measure(cold: boolean): Promise<{ ms: number; requests: number }> {
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < ROUNDS; i++) {
    if (cold) {
      clearDiscoveryCache();
      clearAgencyCache();
    }
    let n = 0;
    const t0 = performance.now();
    const r = await resolveTargets(config, { onRequest: () => n++ });
    times.push(performance.now() - t0);
    requests = n;
    if (r.targets.length !== 50 || r.problems.length > 0) {
      process.stderr.write(
        `expected 50 targets and no problems, got ${r.targets.length} and ${r.problems.length}\n`,
      );
      process.exit(1);
    }
  }
  return { ms: median(times), requests };
}

await resolveTargets(config); // warm-up: module loading, sockets
const cold = await measure(true);
const warm = await measure(false);
await emu.close();
process.stdout.write(
  [
    `discovery of 50 projects across 3 accounts (one through an agency), median of ${ROUNDS}; load average ${loadavg()[0]?.toFixed(1)}`,
    `  cold (empty caches): ${cold.ms.toFixed(1)} ms, ${cold.requests} IAM requests (3 project lists + 1 assume-role)`,
    `  warm (cached):       ${warm.ms.toFixed(2)} ms, ${warm.requests} IAM requests`,
    '',
  ].join('\n'),
);
