import { type FastifyPluginCallback } from 'fastify';
import { type Pool } from 'pg';
import { NotesRepository } from '../db/notes';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';

// Note ids are bigint identity values, sent as strings (they can exceed 2^53).
const noteId = { type: 'string', pattern: '^[1-9][0-9]{0,17}$' } as const;

const note = {
  type: 'object',
  properties: { id: { type: 'string' }, title: { type: 'string' }, body: { type: 'string' }, createdAt: { type: 'string' } },
  required: ['id', 'title', 'body', 'createdAt'],
} as const;

interface CreateNote {
  Body: { title: string; body?: string };
}
interface GetNote {
  Params: { id: string };
}
interface ListNotes {
  Querystring: { limit: number; after?: string };
}

/** POST /v1/notes, GET /v1/notes/:id, GET /v1/notes?limit=&after= */
export function notesRoutes(pool: Pool): FastifyPluginCallback {
  const notes = new NotesRepository(pool);
  return (app, _options, done) => {
    app.post<CreateNote>(
      '/',
      {
        schema: {
          body: {
            type: 'object',
            properties: { title: { type: 'string', minLength: 1, maxLength: 200 }, body: { type: 'string', maxLength: 10_000 } },
            required: ['title'],
            additionalProperties: false,
          },
          response: { 201: note },
        },
      },
      async (request, reply) => {
        const created = await notes.create(request.body.title, request.body.body ?? '');
        return reply.status(201).header('location', `/v1/notes/${created.id}`).send(created);
      },
    );

    app.get<GetNote>('/:id', { schema: { params: { type: 'object', properties: { id: noteId }, required: ['id'] }, response: { 200: note } } }, async (request, reply) => {
      const found = await notes.get(request.params.id);
      if (!found) return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(problem(404, `There is no note ${request.params.id}.`, request));
      return found;
    });

    app.get<ListNotes>(
      '/',
      {
        schema: {
          querystring: {
            type: 'object',
            properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, after: noteId },
            additionalProperties: false,
          },
          response: { 200: { type: 'object', properties: { items: { type: 'array', items: note }, nextAfter: { type: ['string', 'null'] } }, required: ['items', 'nextAfter'] } },
        },
      },
      async (request) => notes.list(request.query.limit, request.query.after),
    );
    done();
  };
}
