import { writeHeartbeat } from '../../../../constructs/restore-drill/runtime/heartbeat';
import { HEARTBEAT_TABLE } from '../../../../constructs/restore-drill/runtime/validate-copy';
import { startPostgres, type TestPostgres } from '../../../helpers/postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => pg.stop());

test('creates its table on first use and keeps one row holding the latest beat, in the server clock', async () => {
  const client = await pg.connect();
  const first = await writeHeartbeat(client);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = await writeHeartbeat(client);

  expect(second.getTime()).toBeGreaterThan(first.getTime());
  const rows = await client.query<{ beat_at: Date }>(`SELECT beat_at FROM ${HEARTBEAT_TABLE}`);
  expect(rows.rows).toEqual([{ beat_at: second }]);
  const serverNow = (await client.query<{ now: Date }>('SELECT now() AS now')).rows[0].now;
  expect(Math.abs(serverNow.getTime() - second.getTime())).toBeLessThan(5_000);
});
