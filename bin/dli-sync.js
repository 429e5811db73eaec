#!/usr/bin/env node
// The CLI's executable: loads the TypeScript CLI through tsx so it works right after `npm ci`.
import { register } from 'tsx/esm/api';

// On Node 20 the AWS SDK prints a nine-line NodeVersionSupportWarning on every invocation, which
// buries the CLI's one-line errors. The SDK version is pinned by the lockfile and the README says
// which Node versions are supported, so the CLI hides it unless the user set the variable already.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('./cli.ts');
