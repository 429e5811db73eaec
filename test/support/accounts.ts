/**
 * An estate of three accounts for the emulator's IAM side: `acct-a` (several regions, a sub-project,
 * the domain-level MOS project), `acct-b` (one project), and `member`, reachable only through its
 * agency `dli-sync-agency`, which trusts acct-a.
 */
import type { EmulatorAccount } from '../../infra/local/iam-emulator.ts';

export const AK_A = 'ACCTAACCESSKEY000001';
export const SK_A = 'acct-a-secret-do-not-log-0001';
export const AK_B = 'ACCTBACCESSKEY000002';
export const SK_B = 'acct-b-secret-do-not-log-0002';

export const P = {
  a4: 'a4000000000000000000000000000004',
  a4x: 'a4x00000000000000000000000000044',
  as1: 'as100000000000000000000000000001',
  aap: 'aap00000000000000000000000000001',
  amos: 'amos0000000000000000000000000001',
  b3: 'b3000000000000000000000000000003',
  m4: 'm4000000000000000000000000000004',
  m1: 'm1000000000000000000000000000001',
} as const;

export const ACCOUNTS: Record<string, EmulatorAccount> = {
  'acct-a': {
    ak: AK_A,
    sk: SK_A,
    projects: [
      { id: P.a4, name: 'cn-north-4' },
      { id: P.a4x, name: 'cn-north-4_analytics' },
      { id: P.as1, name: 'cn-south-1' },
      { id: P.aap, name: 'ap-southeast-1' },
      { id: P.amos, name: 'MOS' },
    ],
  },
  'acct-b': { ak: AK_B, sk: SK_B, projects: [{ id: P.b3, name: 'cn-east-3' }] },
  member: {
    ak: 'MEMBERACCESSKEY00003',
    sk: 'member-secret-not-used-here',
    projects: [
      { id: P.m4, name: 'cn-north-4' },
      { id: P.m1, name: 'cn-south-1' },
    ],
    agencies: { 'dli-sync-agency': { trusted: ['acct-a'] } },
  },
};

/** HUAWEICLOUD_CREDENTIALS for acct-a and acct-b. */
export const NAMED_CREDENTIALS = JSON.stringify({
  'acct-a': { ak: AK_A, sk: SK_A },
  'acct-b': { ak: AK_B, sk: SK_B },
});
