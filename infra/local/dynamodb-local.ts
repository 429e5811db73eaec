/**
 * DynamoDB Local (AWS's own emulator) for npm start, tests and benchmarks. The jar ships inside the
 * npm package amplify-dynamodb-simulator; we fetch only that package's tarball (`npm pack`, ~3 s)
 * instead of installing its 347 MB of dependencies, and cache the extracted emulator. The tarball is
 * in no lockfile, so its sha256 is pinned here and checked before anything is extracted or run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, '.cache', 'dynamodb-local', '2.9.30');
/** sha256 of amplify-dynamodb-simulator-2.9.30.tgz (`npm pack …` then `sha256sum`). */
export const TARBALL_SHA256 = '3503ffac19f183407909fecdacf4db51ab1fdad1da7b2f177016670b2d80e4b9';

/** Throws unless the file's sha256 is `expected`: a changed tarball is never extracted or run. */
export function verifySha256(file: string, expected: string): void {
  const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (actual !== expected)
    throw new Error(`${PACKAGE} tarball has sha256 ${actual}; expected ${expected} (not extracted, not run)`);
}

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

export function ensureJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'java is not installed; DynamoDB Local needs Java 17+ (Debian: apt-get install openjdk-17-jre-headless)',
    );
  }
}

/** Path of the extracted emulator, downloading it once. Safe when several processes race. */
export function ensureDynamoDbLocal(cache = CACHE, sha256 = TARBALL_SHA256): string {
  const dir = join(cache, 'emulator');
  if (existsSync(join(dir, 'DynamoDBLocal.jar'))) return dir;
  mkdirSync(cache, { recursive: true });
  const tmp = mkdtempSync(join(cache, 'tmp-'));
  try {
    const tgz = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
    const tarball = join(tmp, tgz.split('\n').pop() ?? '');
    verifySha256(tarball, sha256);
    execFileSync('tar', ['xzf', tarball, '-C', tmp, 'package/emulator']);
    try {
      renameSync(join(tmp, 'package', 'emulator'), dir);
    } catch (err) {
      // Another process won the race; its copy is as good as ours.
      if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/**
 * `heapMb` is the JVM's heap (default 1 GiB, plenty for tests). In memory, DynamoDB Local keeps every
 * item on that heap: near its limit the JVM spends its time collecting garbage and writes slow down
 * tenfold, so the benchmark's 50,000-connection tables get more.
 */
export async function startDynamoDbLocal(
  opts: { port?: number; heapMb?: number } = {},
): Promise<DynamoDbLocal> {
  ensureJava();
  const dir = ensureDynamoDbLocal();
  const port = opts.port ?? (await freePort());
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      `-Xmx${opts.heapMb ?? 1024}m`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      // One database whatever the credentials and region: tests and the CLI may differ in both.
      '-sharedDb',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited at start: ${stderr.trim().split('\n')[0] ?? ''}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('DynamoDB Local did not accept connections within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
    s.connect(port, '127.0.0.1');
  });
}
