/**
 * Deploy-time check of the CloudFormation template `osls package` wrote: the security controls
 * docs/security.md relies on are in it, whatever a later edit of serverless.yml did. `npm run
 * package` runs it after packaging (deploy the checked package: `npx osls deploy --package
 * .serverless`); test/deploy/template.test.ts runs it too, and shows that each check catches
 * its control's removal.
 *
 *   node bin/run-ts.js scripts/check-template.ts [template.json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, Resource>;
}
interface Statement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });

function envOf(t: Template, fn: string): Record<string, unknown> {
  const env = t.Resources[fn]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return env?.Variables ?? {};
}

function roleStatements(t: Template, role: string): Statement[] {
  const policies = (t.Resources[role]?.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

/** The problems found; empty when every control is in place. */
export function checkTemplate(t: Template): string[] {
  const problems: string[] = [];
  const r = t.Resources;

  // Fan-out queue: only the sync role may send (explicit Deny for every other principal).
  const policy = Object.values(r).find(
    (x) =>
      x.Type === 'AWS::SQS::QueuePolicy' &&
      list(x.Properties?.Queues as unknown[]).some((q) => same(q, { Ref: 'FanoutQueue' })),
  );
  const statements = list((policy?.Properties?.PolicyDocument as { Statement?: Statement[] })?.Statement);
  const denyOthers = statements.some(
    (s) =>
      s.Effect === 'Deny' &&
      same(s.Principal, '*') &&
      list(s.Action).some((a) => a === 'sqs:SendMessage' || a === 'sqs:*') &&
      same(s.Condition?.ArnNotEquals?.['aws:PrincipalArn'], getAtt('SyncRole', 'Arn')),
  );
  if (!denyOthers)
    problems.push('FanoutQueue has no queue policy denying sqs:SendMessage to every principal but SyncRole');

  // HTTP API stage: throttling and an access log naming the caller.
  const stage = Object.values(r).find((x) => x.Type === 'AWS::ApiGatewayV2::Stage')?.Properties;
  const route = stage?.DefaultRouteSettings as Record<string, unknown> | undefined;
  const positive = (v: unknown) => typeof v === 'number' && v > 0;
  if (!positive(route?.ThrottlingRateLimit) || !positive(route?.ThrottlingBurstLimit))
    problems.push(
      'the HTTP API stage has no throttling (DefaultRouteSettings ThrottlingRateLimit and ThrottlingBurstLimit)',
    );
  const format = (stage?.AccessLogSettings as { Format?: unknown } | undefined)?.Format;
  if (typeof format !== 'string' || !format.includes('$context.identity.userArn'))
    problems.push('the HTTP API stage has no access log with the caller ($context.identity.userArn)');

  // The API function: reserved concurrency.
  if (!positive(r.ApiLambdaFunction?.Properties?.ReservedConcurrentExecutions))
    problems.push('ApiLambdaFunction has no reserved concurrency');

  // The worker reads exactly the targets parameter the scheduler reads (plus its key pair).
  const targetsParam = envOf(t, 'SyncLambdaFunction').DLI_TARGETS_PARAMETER;
  const credentialsParam = envOf(t, 'SyncWorkerLambdaFunction').HUAWEICLOUD_CREDENTIALS_PARAMETER;
  if (
    typeof targetsParam !== 'string' ||
    envOf(t, 'SyncWorkerLambdaFunction').DLI_TARGETS_PARAMETER !== targetsParam
  )
    problems.push('SyncWorkerLambdaFunction does not read the targets parameter (DLI_TARGETS_PARAMETER)');
  const arn = (name: unknown) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${String(name)}`,
  });
  const ssm = roleStatements(t, 'SyncWorkerRole').filter((s) =>
    list(s.Action).some((a) => a.startsWith('ssm:')),
  );
  const granted = ssm.flatMap((s) => list(s.Resource));
  const ok =
    ssm.every((s) => same(list(s.Action), ['ssm:GetParameter'])) &&
    granted.length === 2 &&
    granted.some((g) => same(g, arn(targetsParam))) &&
    granted.some((g) => same(g, arn(credentialsParam)));
  if (!ok)
    problems.push(
      'SyncWorkerRole must have ssm:GetParameter on exactly the targets and credentials parameters',
    );
  return problems;
}

function main(): void {
  const file =
    process.argv[2] ??
    join(import.meta.dirname, '..', '.serverless/cloudformation-template-update-stack.json');
  const problems = checkTemplate(JSON.parse(readFileSync(file, 'utf8')) as Template);
  if (problems.length > 0) {
    for (const p of problems) console.error(`template check: ${p}`);
    process.exit(1);
  }
  console.log(
    'template check: queue policy, API throttling and access log, reserved concurrency, worker SSM grant: ok',
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
