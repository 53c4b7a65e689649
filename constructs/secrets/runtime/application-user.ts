import type { ClientBase } from 'pg';

/** The application login to ensure in a database. */
export interface ApplicationUser {
  readonly username: string;
  readonly password: string;
  /** The database the user owns. */
  readonly database: string;
}

/** What `ensureApplicationUser` did. */
export type ApplicationUserOutcome = 'created' | 'password-reset' | 'unchanged';

/**
 * Makes `user` a login that owns its database, connected as the master user.
 *
 * - Missing: created with the secret's password.
 * - Present and `resetPassword`: its password is set to the secret's (a restored or
 *   recreated database whose role predates the secret).
 * - Present otherwise: left as it is. Rotation owns the password from then on.
 *
 * Owning the database (and so, from PostgreSQL 15, its `public` schema) lets the user run
 * migrations without superuser rights. Multi-user rotation creates `<user>_clone` as a member of
 * this role, so both logins reach the same objects. Idempotent: safe to run again.
 */
export async function ensureApplicationUser(
  master: ClientBase,
  user: ApplicationUser,
  options: { readonly resetPassword: boolean },
): Promise<ApplicationUserOutcome> {
  const role = master.escapeIdentifier(user.username);
  const password = master.escapeLiteral(user.password);
  const existing = await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user.username]);
  let outcome: ApplicationUserOutcome = 'unchanged';
  if (existing.rowCount === 0) {
    await master.query(`CREATE ROLE ${role} WITH LOGIN PASSWORD ${password}`);
    outcome = 'created';
  } else if (options.resetPassword) {
    await master.query(`ALTER ROLE ${role} WITH LOGIN PASSWORD ${password}`);
    outcome = 'password-reset';
  }
  // The master must be a member of the role to hand it the database (RDS masters are not superusers).
  await master.query(`GRANT ${role} TO CURRENT_USER`);
  await master.query(`ALTER DATABASE ${master.escapeIdentifier(user.database)} OWNER TO ${role}`);
  return outcome;
}
