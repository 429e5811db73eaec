#!/usr/bin/env node
// Runs a TypeScript entry point without a build step: `node bin/run-ts.js path/to/file.ts [args]`.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const [, , file, ...rest] = process.argv;
process.argv = [process.argv[0], file, ...rest];
await import(pathToFileURL(file).href);
