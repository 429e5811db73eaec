/**
 * Writes docs/openapi.json from the route catalogue (lib/api/catalogue.ts). Generated, committed,
 * linted in CI (`npm run lint:openapi`); test/unit/openapi.test.ts fails while the committed file
 * differs from what this writes, so run it after changing a route or a schema.
 *
 *   npm run openapi            write docs/openapi.json
 *   npm run openapi -- --check exit 1 when the committed file is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { documentText } from '../lib/api/openapi.ts';

const FILE = new URL('../docs/openapi.json', import.meta.url);

const text = documentText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(FILE, 'utf8');
  } catch {
    // Missing is out of date too.
  }
  if (current !== text) {
    console.error('docs/openapi.json is out of date; run npm run openapi and commit it');
    process.exit(1);
  }
  console.log('docs/openapi.json is up to date');
} else {
  writeFileSync(FILE, text);
  console.log('wrote docs/openapi.json');
}
