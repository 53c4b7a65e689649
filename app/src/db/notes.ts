import { type Pool } from 'pg';

export interface Note {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly createdAt: string;
}

export interface NotePage {
  readonly items: readonly Note[];
  /** The id to pass as `after` for the next page; null on the last page. */
  readonly nextAfter: string | null;
}

interface NoteRow {
  id: string;
  title: string;
  body: string;
  created_at: Date;
}

const toNote = (row: NoteRow): Note => ({ id: row.id, title: row.title, body: row.body, createdAt: row.created_at.toISOString() });

/** Notes in PostgreSQL. Every statement is parameterized; values never reach the SQL text. */
export class NotesRepository {
  constructor(private readonly pool: Pool) {}

  async create(title: string, body: string): Promise<Note> {
    const { rows } = await this.pool.query<NoteRow>('INSERT INTO notes (title, body) VALUES ($1, $2) RETURNING id, title, body, created_at', [title, body]);
    return toNote(rows[0]);
  }

  async get(id: string): Promise<Note | undefined> {
    const { rows } = await this.pool.query<NoteRow>('SELECT id, title, body, created_at FROM notes WHERE id = $1', [id]);
    return rows.length ? toNote(rows[0]) : undefined;
  }

  /**
   * Keyset pagination on the primary key: each page costs one index range scan however deep it
   * is, and rows inserted meanwhile never shift a page (unlike OFFSET).
   */
  async list(limit: number, after?: string): Promise<NotePage> {
    const { rows } = await this.pool.query<NoteRow>(
      `SELECT id, title, body, created_at FROM notes
        WHERE $1::bigint IS NULL OR id > $1::bigint
        ORDER BY id
        LIMIT $2`,
      [after ?? null, limit + 1],
    );
    const items = rows.slice(0, limit).map(toNote);
    return { items, nextAfter: rows.length > limit ? items[items.length - 1].id : null };
  }
}
