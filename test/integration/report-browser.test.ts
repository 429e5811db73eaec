/**
 * The HTML report in a real headless browser (Debian's chromium, over the DevTools protocol): it
 * loads with no console error and no request beyond the file itself, its summary equals
 * `dli-sync availability --json` for the same window, a failed peering has a FAILED bar, an
 * untrusted connection name stays text, and a screenshot is written to test-output/report.png.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../bin/cli.ts';
import { type AvailabilityRow, summarize } from '../../lib/report/availability.ts';
import { type Browser, chromiumPath, launchChromium } from '../support/chromium.ts';
import { TARGET } from '../support/fixtures.ts';
import { at, EVIL_NAME, ORDERS, WINDOW, writeHistoryWorld } from '../support/history-world.ts';
import { createTestStore, ddbEndpoint, LOCAL_AWS_ENV } from '../support/store.ts';

const OUT = resolve('test-output');
const CHROMIUM = chromiumPath();
if (!CHROMIUM && process.env.CI)
  throw new Error('chromium is not installed; .ci/run installs it (apt-get install -y chromium)');

let browser: Browser | undefined;
let env: Record<string, string>;

async function cli(args: string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  const lines: string[] = [];
  const err: string[] = [];
  const code = await main(args, env, { out: (s) => lines.push(...s.split('\n')), err: (s) => err.push(s) });
  return { code, lines, stderr: err.join('\n') };
}

beforeAll(async () => {
  if (!CHROMIUM) return;
  const store = await createTestStore();
  env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: ddbEndpoint(),
    TABLE_NAME: store.tableName,
    DLI_TARGETS: `${TARGET.region}:${TARGET.projectId}`,
  };
  // The in-process CLI's AWS SDK reads the endpoint and credentials from this process's environment.
  Object.assign(process.env, env);
  [browser] = await Promise.all([launchChromium(CHROMIUM), writeHistoryWorld(store)]);
}, 30_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM)('the HTML report in headless chromium', () => {
  it('loads offline without errors, matches availability --json, draws the failure; screenshot', async () => {
    mkdirSync(OUT, { recursive: true });
    const file = join(OUT, 'report.html');
    const window = ['--from', WINDOW.from, '--to', WINDOW.to];
    const report = await cli(['report', ...window, '--out', file]);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(report.lines.at(-1)).toBe(file);
    const json = await cli(['availability', ...window, '--json']);
    const expected = summarize(JSON.parse(json.lines.join('\n')) as AvailabilityRow[]);

    const b = browser as Browser;
    const { targetId } = await b.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await b.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    for (const domain of ['Page', 'Runtime', 'Log', 'Network'])
      await b.send(`${domain}.enable`, {}, sessionId);
    await b.send(
      'Emulation.setDeviceMetricsOverride',
      { width: 1280, height: 1000, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    const url = pathToFileURL(file).href;
    const loaded = b.next('Page.loadEventFired');
    await b.send('Page.navigate', { url }, sessionId);
    await loaded;

    const evaluate = async <T>(expression: string): Promise<T> =>
      (
        await b.send<{ result: { value: T } }>(
          'Runtime.evaluate',
          { expression, returnByValue: true },
          sessionId,
        )
      ).result.value;
    const figures = await evaluate<Record<string, string>>(
      `Object.fromEntries([...document.querySelectorAll('#summary [data-figure]')].map((td) => [td.dataset.figure, td.dataset.value]))`,
    );
    expect(figures).toEqual({
      connections: String(expected.connections),
      peerings: String(expected.peerings),
      availability: String(expected.availability),
      failures: String(expected.failures),
      recoveries: String(expected.recoveries),
      mttrSeconds: String(expected.mttrSeconds),
      longestOutageSeconds: String(expected.longestOutageSeconds),
      failedSeconds: String(expected.seconds.failed),
    });
    expect(expected).toMatchObject({ connections: 3, peerings: 4, failures: 2, mttrSeconds: 600 });

    // The failed peering's bar: FAILED stretches, drawn (non-zero width), their exact times in <title>.
    const failed = await evaluate<{ width: number; title: string }[]>(
      `[...document.querySelectorAll('tr[data-connection="${ORDERS}"][data-peering="q1"] rect[data-state="FAILED"]')].map((r) => ({ width: r.getBoundingClientRect().width, title: r.querySelector('title').textContent }))`,
    );
    expect(failed).toHaveLength(2);
    expect(failed.every((r) => r.width > 0)).toBe(true);
    const iso = (s: number) => at(s).replace('.000Z', 'Z');
    expect(failed[0]?.title).toBe(`FAILED from ${iso(1000)} to ${iso(1600)} (10m)`);

    // The hostile name is text, not an element.
    expect(await evaluate<number>(`document.querySelectorAll('img, script').length`)).toBe(0);
    expect(await evaluate<boolean>(`document.body.textContent.includes(${JSON.stringify(EVIL_NAME)})`)).toBe(
      true,
    );

    const shot = await b.send<{ data: string }>('Page.captureScreenshot', { format: 'png' }, sessionId);
    writeFileSync(join(OUT, 'report.png'), Buffer.from(shot.data, 'base64'));
    expect(statSync(join(OUT, 'report.png')).size).toBeGreaterThan(10_000);

    const mine = b.events.filter((e) => e.sessionId === sessionId);
    const requests = mine
      .filter((e) => e.method === 'Network.requestWillBeSent')
      .map((e) => (e.params.request as { url: string }).url);
    expect(requests).toEqual([url]);
    const errors = mine.filter(
      (e) =>
        e.method === 'Runtime.exceptionThrown' ||
        (e.method === 'Runtime.consoleAPICalled' && e.params.type === 'error') ||
        (e.method === 'Log.entryAdded' && (e.params.entry as { level: string }).level === 'error'),
    );
    expect(errors).toEqual([]);
    expect(readFileSync(file, 'utf8')).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });
});
