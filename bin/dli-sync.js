#!/usr/bin/env node
// The CLI's executable. Runs the prebuilt bundle (dist/cli/, `npm run build:cli`, also made by
// `npm ci` through the `prepare` script) when it was built from the sources as they are now;
// otherwise loads the TypeScript CLI through tsx, so a fresh clone or an edited checkout just works.
import { runCli } from './launch.js';

// On Node 20 the AWS SDK prints a nine-line NodeVersionSupportWarning on every invocation, which
// buries the CLI's one-line errors. The SDK version is pinned by the lockfile and the README says
// which Node versions are supported, so the CLI hides it unless the user set the variable already.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

await runCli();
