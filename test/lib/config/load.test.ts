import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { gatherConfig, loadConfig, validateGathered } from '../../../lib/config';

/** A project folder with a cdk.json (holding `cdkJsonConfig` as its shipshape context, if given) and `files`. */
function project(files: Record<string, unknown>, cdkJsonConfig?: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipshape-config-'));
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'x', context: cdkJsonConfig === undefined ? {} : { shipshape: cdkJsonConfig } }));
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return dir;
}

/** The App `cdk synth` builds there: cdk.json's context merged with `-c` values (text, as the CDK CLI passes them). */
function appIn(dir: string, commandLine: Record<string, string> = {}): App {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return new App({ context: { ...cdkJson.context, ...commandLine } });
}

describe('the configuration file', () => {
  test('shipshape.config.json beside cdk.json is read, with its $schema line', () => {
    const dir = project({ 'shipshape.config.json': { $schema: './schema/shipshape.config.schema.json', profile: 'budget', appName: 'payments' } });
    const config = loadConfig(appIn(dir).node, { directory: dir });
    expect([config.profile, config.appName]).toEqual(['budget', 'payments']);
  });

  test('-c shipshape:configFile names another file, found from the folder of cdk.json', () => {
    const dir = project({ 'shipshape.config.json': { appName: 'staging' }, 'prod.json': { appName: 'prod' } });
    expect(loadConfig(appIn(dir, { 'shipshape:configFile': 'prod.json' }).node, { directory: dir }).appName).toBe('prod');
  });

  test('a file named on the shipshape command line (--config) wins over the context key', () => {
    const dir = project({ 'a.json': { appName: 'from-a' }, 'b.json': { appName: 'from-b' } });
    const gathered = gatherConfig({ directory: dir, context: { 'shipshape:configFile': 'a.json' }, configFile: 'b.json' });
    expect(gathered.raw.appName).toBe('from-b');
    expect(gathered.file).toBe(path.join(dir, 'b.json'));
  });

  test('a named file that is not there is an error naming the file and how it was named', () => {
    const dir = project({});
    expect(() => loadConfig(appIn(dir, { 'shipshape:configFile': 'prod.json' }).node, { directory: dir })).toThrow(
      new RegExp(`shipshape: cannot read the configuration file ${path.join(dir, 'prod.json').replace(/[.]/g, '\\.')} \\(-c shipshape:configFile\\): ENOENT`),
    );
  });

  test('a file that is not JSON is an error naming the file', () => {
    const dir = project({ 'shipshape.config.json': '{ "profile": "budget", }' });
    expect(() => loadConfig(appIn(dir).node, { directory: dir })).toThrow(/shipshape: the configuration file .*shipshape\.config\.json is not JSON/);
  });

  test('without the folder of cdk.json no file is read unless one is named', () => {
    const dir = project({ 'shipshape.config.json': { profile: 'budget' } });
    expect(loadConfig(appIn(dir).node).profile).toBe('production');
  });
});

describe('precedence: cdk.json < the file < -c shipshape=JSON < -c shipshape.key=value', () => {
  const dir = project(
    { 'shipshape.config.json': { appName: 'from-file', owner: 'file@example.com', service: { desiredCount: 3, image: { repository: 'shop', tag: 'v1' } } } },
    { appName: 'from-cdk-json', owner: 'cdk@example.com', tags: { team: 'payments' }, service: { image: { uri: 'public.ecr.aws/nginx/nginx:1' } } },
  );

  test('the file wins over cdk.json key by key; keys only cdk.json sets are kept', () => {
    const config = loadConfig(appIn(dir).node, { directory: dir });
    expect([config.appName, config.owner, config.tags]).toEqual(['from-file', 'file@example.com', { team: 'payments' }]);
  });

  test('a value of one of several shapes (the image) is replaced whole, not merged into the other shape', () => {
    expect(loadConfig(appIn(dir).node, { directory: dir }).service.image).toEqual({ repository: 'shop', tag: 'v1' });
  });

  test('a whole -c shipshape object wins over the file; a dotted -c wins over everything and sets only its key', () => {
    const app = appIn(dir, { shipshape: '{"appName":"from-c-json"}', 'shipshape.appName': 'from-c-key', 'shipshape.service.image.tag': 'v2' });
    const gathered = gatherConfig({ directory: dir, context: app.node.getAllContext() as Record<string, unknown> });
    expect(gathered.layers.map((l) => l.source.name)).toEqual([path.relative(process.cwd(), path.join(dir, 'shipshape.config.json')), '-c shipshape', '-c shipshape.appName', '-c shipshape.service.image.tag']);
    const config = loadConfig(app.node, { directory: dir });
    expect(config.appName).toBe('from-c-key');
    expect(config.service.image).toEqual({ repository: 'shop', tag: 'v2' });
  });

  test('where each value came from: -c, the file, cdk.json, the profile or the default', () => {
    const gathered = gatherConfig({ directory: dir, context: { ...(appIn(dir).node.getAllContext() as Record<string, unknown>), 'shipshape.service.cpu': '1024', 'shipshape.service.memoryMiB': '2048' } });
    const { sourceOf, config } = validateGathered(gathered);
    expect(config?.service.cpu).toBe(1024);
    expect(sourceOf(['service', 'cpu'])).toEqual({ kind: '-c', name: '-c shipshape.service.cpu' });
    expect(sourceOf(['service', 'desiredCount']).kind).toBe('file');
    expect(sourceOf(['tags', 'team'])).toEqual({ kind: 'cdk.json', name: 'cdk.json' });
    expect(sourceOf(['network', 'natStrategy'])).toEqual({ kind: 'profile', name: 'profile production' });
    expect(sourceOf(['network', 'cidr'])).toEqual({ kind: 'default', name: 'default' });
  });
});

describe('-c values arrive as text', () => {
  const dir = project({});

  test('a key that takes text keeps it: postgresVersion=16.4 and image.tag=2 stay strings', () => {
    const config = loadConfig(
      appIn(dir, { 'shipshape.database.postgresVersion': '16.4', 'shipshape.service.image': '{"repository":"shop","tag":"1"}', 'shipshape.service.image.tag': '2' }).node,
      { directory: dir },
    );
    expect(config.database.postgresVersion).toBe('16.4');
    expect(config.service.image).toEqual({ repository: 'shop', tag: '2' });
  });

  test('other keys read JSON: numbers, booleans and lists', () => {
    const config = loadConfig(appIn(dir, { 'shipshape.service.desiredCount': '3', 'shipshape.service.deletionProtection': 'false', 'shipshape.alarms.emails': '["a@example.com"]', 'shipshape.acceptedRisks.no-deletion-protection': 'a preview environment, deleted nightly' }).node, { directory: dir });
    expect([config.service.desiredCount, config.service.deletionProtection, config.alarms.emails]).toEqual([3, false, ['a@example.com']]);
  });

  test('a list given without JSON says how to quote it for the shell', () => {
    const app = appIn(dir, { 'shipshape.alarms.emails': 'a@example.com' });
    expect(() => loadConfig(app.node, { directory: dir })).toThrow(
      `shipshape.alarms.emails: must be a list (JSON array), each a string (got "a@example.com", a string); on the command line give it as JSON, quoted for the shell: -c 'shipshape.alarms.emails=["a@example.com"]'`,
    );
  });

  test('a whole object cut at its first line break (as the CDK CLI passes -c shipshape="$(cat f.json)") says to name the file instead', () => {
    const app = appIn(dir, { shipshape: '{' });
    expect(() => loadConfig(app.node, { directory: dir })).toThrow(/shipshape: the "shipshape" context value is not JSON \(.*\); the CDK CLI keeps a -c value only up to its first line break: name the file with -c shipshape:configFile=FILE/);
  });

  test('a number inside a whole -c shipshape object says to quote it there', () => {
    const app = appIn(dir, { shipshape: '{"database":{"postgresVersion":16.4}}' });
    expect(() => loadConfig(app.node, { directory: dir })).toThrow('shipshape.database.postgresVersion: must be a string (got 16.4, a number): write it in quotes, "16.4" (in -c shipshape)');
  });
});
