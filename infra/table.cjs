'use strict';
/**
 * serverless.yml's table: `Properties: ${file(./infra/table.cjs):properties}`. osls loads this
 * CommonJS file with require() at package time; the properties come from infra/table-cfn.ts, which
 * maps lib/store/table.ts's tableDefinition (the one definition `dli-sync setup` also uses), so the
 * deployed table and the local one cannot drift. esbuild (already the project's bundler) compiles
 * the TypeScript in memory: no generated file to keep in sync or commit.
 */
const path = require('node:path');
const { buildSync } = require('esbuild');

function loadTableModule() {
  const entry = path.join(__dirname, 'table-cfn.ts');
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Only types come from packages; anything else would be required from node_modules as usual.
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const mod = { exports: {} };
  // The bundle is our own code, compiled a moment ago from the repository's files.
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  return mod.exports;
}

module.exports = async ({ resolveVariable }) => {
  const tableName = await resolveVariable('self:custom.tableName');
  return { properties: loadTableModule().cloudFormationTable(tableName) };
};
