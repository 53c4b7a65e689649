import { ConfigError, resolveConfig } from '../../lib/config';

/** The message of the ConfigError `resolveConfig(raw)` throws; fails the test when it accepts `raw`. */
export function problemsOf(raw: unknown): string {
  try {
    resolveConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected the configuration to be refused');
}
