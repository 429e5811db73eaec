/**
 * The CloudFormation `AWS::DynamoDB::Table` properties for serverless.yml, made from the one table
 * definition (lib/store/table.ts tableDefinition, the same object `dli-sync setup` creates), plus
 * the settings that exist only for the deployed table. infra/table.cjs loads this at package time.
 *
 * Every field of the definition is either mapped or refused: a field added to tableDefinition
 * that this file does not know stops `osls package` instead of silently not being deployed.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { TTL_ATTRIBUTE, tableDefinition } from '../lib/store/table.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** CreateTable fields that carry over to CloudFormation under the same name and shape. */
const SAME_SHAPE = ['AttributeDefinitions', 'KeySchema', 'BillingMode', 'TableClass'] as const;
/** CreateTable fields whose value here is replaced (TableName comes from the stage). */
const HANDLED = new Set<string>([
  ...SAME_SHAPE,
  'TableName',
  'GlobalSecondaryIndexes',
  'StreamSpecification',
]);

/** Strips `undefined` and turns SDK shapes into plain JSON for the template. */
const json = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

export function cloudFormationTable(
  tableName: Json,
  def: CreateTableCommandInput = tableDefinition('placeholder'),
): Record<string, Json> {
  const unknown = Object.keys(def).filter(
    (k) => def[k as keyof CreateTableCommandInput] !== undefined && !HANDLED.has(k),
  );
  if (unknown.length > 0) {
    throw new Error(
      `infra/table-cfn.ts does not deploy ${unknown.join(', ')} of tableDefinition yet; map it to CloudFormation there`,
    );
  }
  if (def.BillingMode !== 'PAY_PER_REQUEST') {
    throw new Error('tableDefinition is expected to be on-demand (BillingMode PAY_PER_REQUEST)');
  }
  const props: Record<string, Json> = { TableName: tableName };
  for (const key of SAME_SHAPE) if (def[key] !== undefined) props[key] = json(def[key]);
  if (def.GlobalSecondaryIndexes) {
    props.GlobalSecondaryIndexes = def.GlobalSecondaryIndexes.map((g) =>
      json({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection }),
    );
  }
  if (def.StreamSpecification?.StreamEnabled) {
    // CloudFormation has no StreamEnabled: a view type is what turns the stream on.
    props.StreamSpecification = {
      StreamViewType: def.StreamSpecification.StreamViewType ?? 'NEW_AND_OLD_IMAGES',
    };
  }
  // What CreateTable cannot say, and setup does by other calls or not at all (DynamoDB Local):
  // TTL on the one attribute the store writes, point-in-time recovery, and protection against a
  // `DeleteTable` (the history lives only here). Encryption stays the AWS-owned default.
  props.TimeToLiveSpecification = { AttributeName: TTL_ATTRIBUTE, Enabled: true };
  props.PointInTimeRecoverySpecification = { PointInTimeRecoveryEnabled: true };
  props.DeletionProtectionEnabled = true;
  return props;
}
