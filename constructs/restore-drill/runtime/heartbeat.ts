import type { ClientBase } from 'pg';

/**
 * Records "the database was written at this moment" in `shipshape.heartbeat` (one row, updated
 * in place), in the server's clock. A restored copy's heartbeat is the newest write it holds,
 * so a drill measures the RPO even of a database nobody wrote to for hours.
 */
export async function writeHeartbeat(client: ClientBase): Promise<Date> {
  await client.query('CREATE SCHEMA IF NOT EXISTS shipshape');
  await client.query('CREATE TABLE IF NOT EXISTS shipshape.heartbeat (id int PRIMARY KEY, beat_at timestamptz NOT NULL)');
  const out = await client.query<{ beat_at: Date }>(
    'INSERT INTO shipshape.heartbeat (id, beat_at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET beat_at = EXCLUDED.beat_at RETURNING beat_at',
  );
  return out.rows[0].beat_at;
}
