import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPostgres, type TestPostgres } from '../../../test/helpers/postgres';

export const APP_DIR = path.join(__dirname, '..', '..');

/** tsx runs the TypeScript entry points as they are, so no build step sits between edit and test. */
const TSX = pathToFileURL(require.resolve('tsx')).href;

/** A real PostgreSQL with an empty `app` database, and the environment the kit gives a task for it. */
export interface TestDatabase {
  readonly postgres: TestPostgres;
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDatabase(database = 'app'): Promise<TestDatabase> {
  const postgres = await startPostgres();
  const admin = await postgres.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  return {
    postgres,
    env: {
      DB_HOST: postgres.host,
      DB_PORT: String(postgres.port),
      DB_NAME: database,
      DB_USER: postgres.superuser.user,
      DB_PASSWORD: postgres.superuser.password,
      DB_SSLMODE: 'disable',
    },
    stop: () => postgres.stop(),
  };
}

/** Runs `src/<entry>.ts` in a child Node.js process with only `env` (and PATH) set. */
export function spawnEntry(entry: 'server' | 'migrate', env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', TSX, path.join('src', `${entry}.ts`)], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout's JSON lines, parsed. */
  readonly lines: Array<Record<string, unknown>>;
}

export function finished(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, lines: jsonLines(stdout) }));
  });
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs `node src/migrate.ts` (what `node dist/migrate.js` runs in the image) to the end. */
export function migrate(env: Record<string, string>): Promise<Finished> {
  return finished(spawnEntry('migrate', env));
}
