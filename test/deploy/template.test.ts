/**
 * [deploy] `npm run package` on this checkout, offline and without AWS credentials, then the
 * CloudFormation template osls wrote is read and checked: the table from the one definition, its
 * stream and TTL, the schedule, the fan-out queue, DLQs, alarms, and one least-privilege role per
 * function. Packaging runs once (beforeAll, ~5 s); every assertion reads the same template.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudFormationTable } from '../../infra/table-cfn.ts';
import { METRIC } from '../../lib/log.ts';
import { EVENT_SOURCE_FILTER } from '../../lib/notify/stream.ts';
import { tableDefinition } from '../../lib/store/table.ts';
import { checkBudgets, FUNCTIONS, report, summarize } from '../../scripts/build.ts';
import { checkTemplate, type Template } from '../../scripts/check-template.ts';

const ROOT = join(import.meta.dirname, '../..');

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
}
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
let resources: Record<string, Resource>;
let packageOutput = '';

const res = (id: string): Resource => {
  const r = resources[id];
  if (!r) throw new Error(`template has no resource ${id}`);
  return r;
};
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });
// CloudFormation's own ${…} syntax, written as template literals so no plain string holds `${`.
const TABLE_INDEX = { 'Fn::Sub': `\${Table.Arn}/index/GSI1` };
const TABLE_STREAMS = { 'Fn::Sub': `\${Table.Arn}/stream/*` };
const VIA_SSM = { 'Fn::Sub': `ssm.\${AWS::Region}.amazonaws.com` };

function statements(roleId: string): Statement[] {
  const policies = res(roleId).Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

/** Every action the role may take, as `action → resources`. */
function grants(roleId: string): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const s of statements(roleId)) {
    expect(s.Effect).toBe('Allow');
    for (const a of list(s.Action)) out.set(a, [...(out.get(a) ?? []), ...list(s.Resource)]);
  }
  return out;
}

const actionsOf = (roleId: string, service: string): string[] =>
  [...grants(roleId).keys()].filter((a) => a.startsWith(`${service}:`)).sort();

/** Document-client and low-level commands → the IAM action each needs. */
const DYNAMO_ACTIONS: Record<string, string[]> = {
  GetCommand: ['GetItem'],
  GetItemCommand: ['GetItem'],
  PutCommand: ['PutItem'],
  PutItemCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  UpdateItemCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  DeleteItemCommand: ['DeleteItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  BatchGetCommand: ['BatchGetItem'],
  BatchGetItemCommand: ['BatchGetItem'],
  BatchWriteCommand: ['PutItem', 'DeleteItem'],
  BatchWriteItemCommand: ['PutItem', 'DeleteItem'],
  TransactGetCommand: ['GetItem'],
  TransactGetItemsCommand: ['GetItem'],
  // A transaction's Put/Update/Delete are authorized as PutItem/UpdateItem/DeleteItem, which the
  // same code issues directly too; a ConditionCheck is looked for separately below.
  TransactWriteCommand: [],
  TransactWriteItemsCommand: [],
};

/**
 * The DynamoDB actions a function's code can take: commands constructed in the project files the
 * bundle contains (esbuild metafile), kept only if the bundle holds that operation after
 * tree-shaking (a command in an unused function of a shared file is dropped). When someone adds a
 * command to a function's path, this changes and the role test below says which action to grant.
 */
function dynamoActionsUsed(fn: string): string[] {
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', fn, 'meta.json'), 'utf8')) as Metafile;
  const output = Object.values(meta.outputs).find((o) => o.entryPoint);
  const bundle = readFileSync(join(ROOT, 'dist', fn, 'index.mjs'), 'utf8');
  const files = Object.entries(output?.inputs ?? {})
    .filter(
      ([path, info]) => info.bytesInOutput > 0 && path.endsWith('.ts') && !path.includes('node_modules/'),
    )
    .map(([path]) => readFileSync(join(ROOT, path), 'utf8'));
  const ops = new Set<string>();
  for (const source of files) {
    for (const m of source.matchAll(/new (\w+Command)\(/g))
      for (const op of DYNAMO_ACTIONS[m[1] ?? ''] ?? []) ops.add(op);
    if (/ConditionCheck:\s*\{/.test(source)) ops.add('ConditionCheckItem');
  }
  return [...ops]
    .filter((op) => bundle.includes(`"${op === 'ConditionCheckItem' ? 'ConditionCheck' : op}"`))
    .map((op) => `dynamodb:${op}`)
    .sort();
}

beforeAll(() => {
  // No AWS credentials of any kind, and no config files to find them in: packaging must not need them.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    AWS_CONFIG_FILE: '/nonexistent/config',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const run = spawnSync('npm', ['run', 'package'], { cwd: ROOT, env, encoding: 'utf8', timeout: 180_000 });
  packageOutput = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0)
    throw new Error(`npm run package failed (${run.status}):\n${packageOutput.slice(-3000)}`);
  const template = JSON.parse(
    readFileSync(join(ROOT, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
  ) as { Resources: Record<string, Resource> };
  resources = template.Resources;
}, 180_000);

describe('[deploy] npm run package (offline, no credentials)', () => {
  it('builds one artifact per function and the template deploys exactly those', () => {
    const fns = ofType('AWS::Lambda::Function');
    expect(fns.map(([id]) => id).sort()).toEqual(
      [
        'ApiLambdaFunction',
        'NotifyLambdaFunction',
        'SyncLambdaFunction',
        'SyncWorkerLambdaFunction',
        'WeeklyReportLambdaFunction',
      ].sort(),
    );
    for (const { name } of FUNCTIONS) {
      expect(existsSync(join(ROOT, 'dist', `${name}.zip`)), `dist/${name}.zip`).toBe(true);
      const fn = res(`${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`).Properties;
      expect((fn.Code as { S3Key: string }).S3Key).toMatch(new RegExp(`/${name}\\.zip$`));
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    }
  });

  it('keeps every bundle within its size budget (esbuild metafile)', () => {
    const built = FUNCTIONS.map((f) =>
      summarize(
        f.name,
        f.budgetKb,
        JSON.parse(readFileSync(join(ROOT, 'dist', f.name, 'meta.json'), 'utf8')),
      ),
    );
    // The per-package breakdown in CI's log, as `npm run check:bundles` prints it.
    console.log(built.map((b) => report(b)).join('\n'));
    expect(checkBudgets(built, [])).toEqual([]);
    // undici stays out of the API, which makes no outbound HTTP call of its own.
    expect(built.find((b) => b.name === 'api')?.packages.map(([p]) => p)).not.toContain('undici');
    // The S3 client and its presigner are the weekly report's alone.
    for (const b of built) {
      const s3 = b.packages
        .map(([p]) => p)
        .filter((p) => /^@aws-sdk\/(client-s3|s3-request-presigner)$/.test(p));
      expect(s3, b.name).toEqual(
        b.name === 'weeklyReport' ? ['@aws-sdk/client-s3', '@aws-sdk/s3-request-presigner'] : [],
      );
    }
  });
});

describe('[deploy] the table', () => {
  it('is the one definition of lib/store/table.ts, with TTL, PITR, deletion protection and the stream', () => {
    const table = res('Table');
    expect(table.DeletionPolicy).toBe('Retain');
    const def = tableDefinition('x');
    expect(table.Properties).toEqual(cloudFormationTable('dli-sync-dev'));
    expect(table.Properties).toMatchObject({
      TableName: 'dli-sync-dev',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: def.KeySchema,
      AttributeDefinitions: def.AttributeDefinitions,
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      def.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      })),
    );
  });

  it('refuses a table field it does not know how to deploy', () => {
    expect(() => cloudFormationTable('t', { ...tableDefinition('t'), LocalSecondaryIndexes: [] })).toThrow(
      /does not deploy LocalSecondaryIndexes/,
    );
  });
});

describe('[deploy] events', () => {
  it('runs sync on the schedule, without async retries, and tells the code the same interval', () => {
    const [[, rule] = []] = ofType('AWS::Events::Rule');
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [{ Arn: getAtt('SyncLambdaFunction', 'Arn') }],
    });
    const env = (res('SyncLambdaFunction').Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.SYNC_SCHEDULE_RATE).toBe('rate(15 minutes)');
    expect(env.SYNC_FANOUT_QUEUE_URL).toEqual({ Ref: 'FanoutQueue' });
    expect(res('SyncLambdaEvConf').Properties.MaximumRetryAttempts).toBe(0);
  });

  it('feeds the notifier only new event items from the stream, bisecting, with partial failures and a DLQ', () => {
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) =>
      JSON.stringify(r.Properties.FunctionName).includes('NotifyLambdaFunction'),
    );
    const p = mapping?.Properties ?? {};
    expect(p).toMatchObject({
      EventSourceArn: getAtt('Table', 'StreamArn'),
      BatchSize: 25,
      MaximumRetryAttempts: 5,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: getAtt('NotifyDLQ', 'Arn') } },
    });
    const filters = (p.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual([EVENT_SOURCE_FILTER]);
  });

  it('fans out through a queue with a DLQ to a worker reporting partial batch failures', () => {
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) =>
      JSON.stringify(r.Properties.FunctionName).includes('SyncWorkerLambdaFunction'),
    );
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: getAtt('FanoutQueue', 'Arn'),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const queue = res('FanoutQueue').Properties;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt('FanoutDLQ', 'Arn'),
      maxReceiveCount: 3,
    });
    expect(queue.VisibilityTimeout as number).toBeGreaterThan(
      res('SyncWorkerLambdaFunction').Properties.Timeout as number,
    );
  });

  it('creates the weekly report only when a bucket is given: all of it under condition WeeklyReportOn', () => {
    const template = JSON.parse(
      readFileSync(join(ROOT, '.serverless/cloudformation-template-update-stack.json'), 'utf8'),
    ) as {
      Conditions: Record<string, unknown>;
      Resources: Record<string, Resource & { Condition?: string }>;
    };
    // No bucket in this packaging: the condition is false, so none of it is deployed.
    expect(template.Conditions.WeeklyReportOn).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] });
    const weekly = Object.keys(template.Resources).filter((id) => id.startsWith('WeeklyReport'));
    expect(weekly.sort()).toEqual(
      [
        'WeeklyReportEventsRuleSchedule1',
        'WeeklyReportLambdaEvConf',
        'WeeklyReportLambdaFunction',
        'WeeklyReportLambdaPermissionEventsRuleSchedule1',
        'WeeklyReportLogGroup',
        'WeeklyReportRole',
      ].sort(),
    );
    for (const id of weekly) expect(template.Resources[id]?.Condition, id).toBe('WeeklyReportOn');
    // A resource outside the condition naming one inside it would fail the deploy without a bucket.
    for (const [id, r] of Object.entries(template.Resources))
      if (!id.startsWith('WeeklyReport')) expect(JSON.stringify(r), id).not.toContain('WeeklyReport');
    expect(res('WeeklyReportEventsRuleSchedule1').Properties).toMatchObject({
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      Targets: [{ Arn: getAtt('WeeklyReportLambdaFunction', 'Arn') }],
    });
  });

  it('serves the API over HTTP API with IAM authorization on every route', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route');
    expect(routes.length).toBeGreaterThan(0);
    for (const [, r] of routes) expect(r.Properties.AuthorizationType).toBe('AWS_IAM');
  });
});

describe('[deploy] alarms', () => {
  const alarms = () => Object.fromEntries(ofType('AWS::CloudWatch::Alarm'));
  const service = 'dli-sync-dev';

  it('alarms on sync errors: both functions’ errors plus failed target sweeps', () => {
    const a = alarms().SyncErrorsAlarm?.Properties as { Metrics: Record<string, unknown>[] };
    const text = JSON.stringify(a.Metrics);
    expect(text).toContain('SyncLambdaFunction');
    expect(text).toContain('SyncWorkerLambdaFunction');
    expect(a.Metrics).toContainEqual(
      expect.objectContaining({
        MetricStat: expect.objectContaining({
          Metric: {
            Namespace: 'DliSync',
            MetricName: METRIC.targetSyncFailures,
            Dimensions: [{ Name: 'service', Value: service }],
          },
        }),
      }),
    );
  });

  it('alarms on a target not swept for N intervals, and on a schedule that stopped', () => {
    expect(alarms().StaleTargetsAlarm?.Properties).toMatchObject({
      Namespace: 'DliSync',
      MetricName: METRIC.staleTargets,
      Dimensions: [{ Name: 'service', Value: service }],
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    const env = (res('SyncLambdaFunction').Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: service, SYNC_STALE_AFTER_INTERVALS: '3' });
  });

  it('alarms on both DLQs’ depth and on notifier errors, all to the alarm topic', () => {
    const all = alarms();
    expect(all.FanoutDLQDepthAlarm?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('FanoutDLQ', 'QueueName') }],
    });
    expect(all.NotifyDLQDepthAlarm?.Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('NotifyDLQ', 'QueueName') }],
    });
    expect(all.NotifyErrorsAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'NotifyLambdaFunction' } }],
    });
    for (const [id, a] of Object.entries(all))
      expect(a.Properties.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
  });
});

describe('[deploy] IAM: one role per function, least privilege', () => {
  const roles = {
    sync: 'SyncRole',
    syncWorker: 'SyncWorkerRole',
    notify: 'NotifyRole',
    api: 'ApiRole',
    weeklyReport: 'WeeklyReportRole',
  } as const;
  const table = getAtt('Table', 'Arn');
  const ssm = (name: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`,
  });

  it('gives each function its own role and creates no shared default role', () => {
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
    for (const [fn, role] of Object.entries(roles)) {
      const id = `${fn[0]?.toUpperCase()}${fn.slice(1)}LambdaFunction`;
      expect(res(id).Properties.Role, fn).toEqual(getAtt(role, 'Arn'));
      expect(res(role).Type).toBe('AWS::IAM::Role');
    }
  });

  it('never grants a `*` resource or action, and DynamoDB only on the table, its index and its stream', () => {
    const allowedDynamo = [JSON.stringify(table), JSON.stringify(TABLE_INDEX), JSON.stringify(TABLE_STREAMS)];
    for (const role of Object.values(roles)) {
      for (const s of statements(role)) {
        for (const a of list(s.Action)) expect(a, role).not.toMatch(/\*/);
        for (const r of list(s.Resource)) {
          expect(r, role).not.toBe('*');
          if (list(s.Action).some((a) => a.startsWith('dynamodb:')))
            expect(allowedDynamo, `${role} ${JSON.stringify(r)}`).toContain(JSON.stringify(r));
        }
      }
    }
    // The index named in the policy is the table definition's only GSI.
    expect(tableDefinition('x').GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['GSI1']);
  });

  it('grants each function exactly the DynamoDB item actions its bundled code calls', () => {
    const stream = ['DescribeStream', 'GetRecords', 'GetShardIterator', 'ListStreams'].map(
      (a) => `dynamodb:${a}`,
    );
    for (const [fn, role] of Object.entries(roles)) {
      const granted = actionsOf(role, 'dynamodb').filter((a) => !stream.includes(a));
      expect(granted, `${role} vs the commands in dist/${fn}`).toEqual(dynamoActionsUsed(fn));
    }
    // What that comes to today, for the reader.
    expect(dynamoActionsUsed('sync')).toEqual(
      ['BatchGetItem', 'ConditionCheckItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map(
        (a) => `dynamodb:${a}`,
      ),
    );
    expect(dynamoActionsUsed('api')).toEqual(
      ['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map((a) => `dynamodb:${a}`),
    );
  });

  it('sync and worker: reads and conditional writes on the base table only', () => {
    for (const role of [roles.sync, roles.syncWorker]) {
      for (const a of actionsOf(role, 'dynamodb')) expect(grants(role).get(a)).toEqual([table]);
    }
    expect(actionsOf(roles.sync, 'sqs')).toEqual(['sqs:SendMessage']);
    expect(grants(roles.sync).get('sqs:SendMessage')).toEqual([getAtt('FanoutQueue', 'Arn')]);
    expect(actionsOf(roles.syncWorker, 'sqs')).toEqual([
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
    ]);
  });

  it('api: Query, GetItem and BatchGetItem (chunks of big connections) on the table and GSI1; the ack write on the table', () => {
    expect(actionsOf(roles.api, 'dynamodb')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    expect(grants(roles.api).get('dynamodb:UpdateItem')).toEqual([table]);
    expect(grants(roles.api).get('dynamodb:Query')).toEqual([table, TABLE_INDEX]);
    expect(actionsOf(roles.api, 'sqs')).toEqual([]);
  });

  it('weeklyReport: table reads only; PutObject and GetObject (what its link stands for) under the prefix only', () => {
    // Exactly what its bundle calls (also checked, with the others, above).
    expect(actionsOf(roles.weeklyReport, 'dynamodb')).toEqual(dynamoActionsUsed('weeklyReport'));
    expect(actionsOf(roles.weeklyReport, 'dynamodb')).toEqual(['dynamodb:BatchGetItem', 'dynamodb:Query']);
    expect(grants(roles.weeklyReport).get('dynamodb:Query')).toEqual([table, TABLE_INDEX]);
    expect(actionsOf(roles.weeklyReport, 's3')).toEqual(['s3:GetObject', 's3:PutObject']);
    // This packaging has no bucket (the role is not deployed); the shape is bucket/prefix*.
    const prefix = { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::/reports/*` };
    expect(grants(roles.weeklyReport).get('s3:PutObject')).toEqual([prefix]);
    expect(grants(roles.weeklyReport).get('s3:GetObject')).toEqual([prefix]);
  });

  it('notify: its table reads and delivery updates, stream reads on the stream, SendMessage on its DLQ', () => {
    for (const a of dynamoActionsUsed('notify')) expect(grants(roles.notify).get(a)).toEqual([table]);
    for (const a of ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream'])
      expect(grants(roles.notify).get(a)).toEqual([TABLE_STREAMS]);
    expect(grants(roles.notify).get('sqs:SendMessage')).toEqual([getAtt('NotifyDLQ', 'Arn')]);
  });

  it('SSM: GetParameter on each function’s own parameters; kms:Decrypt only via SSM for those', () => {
    const expected: Record<string, string[]> = {
      SyncRole: ['/dli-sync/dev/targets', '/dli-sync/dev/huawei-credentials'],
      SyncWorkerRole: ['/dli-sync/dev/targets', '/dli-sync/dev/huawei-credentials'],
      NotifyRole: ['/dli-sync/dev/notify-channels'],
      ApiRole: ['/dli-sync/dev/targets', '/dli-sync/dev/api-cursor-key'],
      WeeklyReportRole: ['/dli-sync/dev/targets', '/dli-sync/dev/notify-channels'],
    };
    for (const [role, names] of Object.entries(expected)) {
      expect(actionsOf(role, 'ssm'), role).toEqual(['ssm:GetParameter']);
      expect(grants(role).get('ssm:GetParameter'), role).toEqual(names.map(ssm));
      const decrypt = statements(role).find((s) => list(s.Action).includes('kms:Decrypt'));
      expect(decrypt?.Condition?.StringEquals, role).toEqual({
        'kms:ViaService': VIA_SSM,
        'kms:EncryptionContext:PARAMETER_ARN': names.length === 1 ? ssm(names[0] ?? '') : names.map(ssm),
      });
    }
  });

  it('logs: each role writes only to its own function’s log group', () => {
    for (const [fn, role] of Object.entries(roles)) {
      const group = `${fn[0]?.toUpperCase()}${fn.slice(1)}LogGroup`;
      expect(actionsOf(role, 'logs')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(grants(role).get('logs:PutLogEvents')).toEqual([getAtt(group, 'Arn')]);
      expect(res(group).Properties.LogGroupName).toBe(`/aws/lambda/dli-sync-dev-${fn}`);
    }
  });
});

describe('[deploy] security controls (scripts/check-template.ts, run by npm run package)', () => {
  const clone = (): Template => structuredClone({ Resources: resources }) as Template;

  it('only the sync role may send to the fan-out queue', () => {
    const policy = res('FanoutQueuePolicy').Properties as {
      Queues: unknown[];
      PolicyDocument: { Statement: Statement[] & { Principal?: unknown }[] };
    };
    expect(policy.Queues).toEqual([{ Ref: 'FanoutQueue' }]);
    expect(policy.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:SendMessage',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': getAtt('SyncRole', 'Arn') } },
      }),
    );
  });

  it('throttles the API stage, logs each caller, and reserves the API function’s concurrency', () => {
    const stage = res('HttpApiStage').Properties;
    expect(stage.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    const format = JSON.parse((stage.AccessLogSettings as { Format: string }).Format) as Record<
      string,
      string
    >;
    expect(format).toMatchObject({
      caller: '$context.identity.userArn',
      path: '$context.path',
      status: '$context.status',
    });
    expect(res('ApiLambdaFunction').Properties.ReservedConcurrentExecutions).toBe(5);
    const env = (res('ApiLambdaFunction').Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.API_CURSOR_KEY_PARAMETER).toBe('/dli-sync/dev/api-cursor-key');
  });

  it('the worker reads the targets parameter the scheduler reads', () => {
    const env = (fn: string) =>
      (res(fn).Properties.Environment as { Variables: Record<string, unknown> }).Variables
        .DLI_TARGETS_PARAMETER;
    expect(env('SyncWorkerLambdaFunction')).toBe('/dli-sync/dev/targets');
    expect(env('SyncWorkerLambdaFunction')).toBe(env('SyncLambdaFunction'));
  });

  it('passes the deploy-time check, and the check catches the removal of each control', () => {
    expect(checkTemplate(clone())).toEqual([]);
    expect(packageOutput).toContain('template check: queue policy, API throttling and access log');
    const broken: [string, (t: Template) => void, RegExp][] = [
      ['no queue policy', (t) => delete t.Resources.FanoutQueuePolicy, /FanoutQueue has no queue policy/],
      [
        'no throttling',
        (t) => {
          (t.Resources.HttpApiStage as Resource).Properties.DefaultRouteSettings = {};
        },
        /no throttling/,
      ],
      [
        'no access log',
        (t) => delete (t.Resources.HttpApiStage as Resource).Properties.AccessLogSettings,
        /no access log/,
      ],
      [
        'no reserved concurrency',
        (t) => delete t.Resources.ApiLambdaFunction?.Properties?.ReservedConcurrentExecutions,
        /no reserved concurrency/,
      ],
      [
        'worker reads another parameter too',
        (t) => {
          const p = t.Resources.SyncWorkerRole?.Properties?.Policies as {
            PolicyDocument: { Statement: Statement[] };
          }[];
          const s = p[0]?.PolicyDocument.Statement.find((x) => x.Action === 'ssm:GetParameter');
          if (s) s.Resource = [...list(s.Resource), 'arn:aws:ssm:*:*:parameter/*'];
        },
        /exactly the targets and credentials parameters/,
      ],
      [
        'worker without targets',
        (t) => {
          const v = (
            (t.Resources.SyncWorkerLambdaFunction as Resource).Properties.Environment as {
              Variables: Record<string, unknown>;
            }
          ).Variables;
          delete v.DLI_TARGETS_PARAMETER;
        },
        /does not read the targets parameter/,
      ],
    ];
    for (const [label, mutate, expected] of broken) {
      const t = clone();
      mutate(t);
      const problems = checkTemplate(t);
      expect(problems, label).toHaveLength(1);
      expect(problems[0], label).toMatch(expected);
    }
  });
});
