import * as fs from 'node:fs';
import { z } from 'zod';

/** Where the Dockerfile puts the RDS certificate bundle. */
export const RDS_CA_BUNDLE_PATH = '/etc/ssl/certs/rds-global-bundle.pem';

/** What the application reads from its environment, validated once at startup. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** `SHIPSHAPE_SERVICE_NAME`: the `service` dimension of the EMF metrics and the pool's application_name. */
  readonly serviceName: string;
  readonly db: DatabaseConfig;
  /** `SHIPSHAPE_MAX_TASKS`: the most tasks of this service that can run at once (blue and green). */
  readonly maxTasks: number;
  /** `DB_POOL_MAX`: a fixed pool size that replaces the computed one. */
  readonly poolMaxOverride: number | undefined;
  readonly shutdownTimeoutMs: number;
  readonly outboundTimeoutMs: number;
}

export interface DatabaseConfig {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  /** `require`: TLS, with the server certificate verified against `caFile`. */
  readonly sslMode: 'require' | 'disable';
  readonly caFile: string | undefined;
  readonly statementTimeoutMs: number;
  readonly connectionTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
}

/** A variable that is missing or malformed; the message names every such variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const required = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : undefined) };
const integer = (min: number, max: number) => z.coerce.number({ error: (issue) => (issue.code === 'invalid_type' ? 'must be a whole number' : undefined) }).int().min(min).max(max);
const text = z.string(required).trim().min(1);

const schema = z.object({
  // 0: any free port (tests).
  PORT: integer(0, 65_535).default(8080),
  HOST: text.default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHIPSHAPE_SERVICE_NAME: text.default('reference-app'),
  SHIPSHAPE_MAX_TASKS: integer(1, 1_000).default(2),
  DB_HOST: text,
  DB_PORT: integer(1, 65_535).default(5432),
  DB_NAME: text,
  DB_USER: text,
  DB_PASSWORD: text,
  DB_SSLMODE: z.enum(['require', 'disable']).default('require'),
  DB_SSL_CA_FILE: text.optional(),
  DB_POOL_MAX: integer(1, 1_000).optional(),
  DB_STATEMENT_TIMEOUT_MS: integer(100, 600_000).default(5_000),
  DB_CONNECT_TIMEOUT_MS: integer(100, 60_000).default(3_000),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  SHUTDOWN_TIMEOUT_MS: integer(1_000, 120_000).default(25_000),
  OUTBOUND_TIMEOUT_MS: integer(100, 60_000).default(3_000),
});

/**
 * Reads and validates the environment. Throws a ConfigError that names each bad variable, so a
 * misconfigured task stops at once with a log line that says what to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, fileExists: (path: string) => boolean = fs.existsSync): AppConfig {
  // An empty variable is an unset one (ECS task definitions and shells both produce them).
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const caFile = e.DB_SSL_CA_FILE ?? (fileExists(RDS_CA_BUNDLE_PATH) ? RDS_CA_BUNDLE_PATH : undefined);
  if (e.DB_SSLMODE === 'require' && (caFile === undefined || !fileExists(caFile))) {
    throw new ConfigError([
      `DB_SSL_CA_FILE: DB_SSLMODE=require verifies the server certificate, and ${caFile ?? RDS_CA_BUNDLE_PATH} does not exist (set DB_SSL_CA_FILE to the RDS CA bundle)`,
    ]);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    serviceName: e.SHIPSHAPE_SERVICE_NAME,
    maxTasks: e.SHIPSHAPE_MAX_TASKS,
    poolMaxOverride: e.DB_POOL_MAX,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    outboundTimeoutMs: e.OUTBOUND_TIMEOUT_MS,
    db: {
      host: e.DB_HOST,
      port: e.DB_PORT,
      database: e.DB_NAME,
      user: e.DB_USER,
      password: e.DB_PASSWORD,
      sslMode: e.DB_SSLMODE,
      caFile: e.DB_SSLMODE === 'require' ? caFile : undefined,
      statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
      connectionTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
      idleInTransactionTimeoutMs: e.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
  };
}
