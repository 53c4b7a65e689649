-- Up Migration
-- Expand phase: a new table; nothing running reads it yet.
CREATE TABLE notes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
  body text NOT NULL DEFAULT '' CHECK (char_length(body) <= 10000),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE notes;
