#!/usr/bin/env node
// The CLI's executable: loads the TypeScript CLI through tsx so it works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
