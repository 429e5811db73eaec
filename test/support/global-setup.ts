/** Starts one DynamoDB Local for the whole test run; each test file makes its own table in it. */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    ddbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ddb = await startDynamoDbLocal();
  project.provide('ddbEndpoint', ddb.endpoint);
  return () => ddb.stop();
}
