/** What the pre-traffic smoke test requests, and what counts as a pass. */
export interface SmokeTestSettings {
  /** The production URL (scheme and host); the test rule routes tagged requests to the new revision. */
  readonly baseUrl: string;
  /** The path requested, starting with '/'. */
  readonly path: string;
  /** The status a healthy new revision answers. */
  readonly expectedStatus: number;
  /** Requests made before the test fails (each one must fail for the test to fail). */
  readonly attempts: number;
  /** How long one request may take. */
  readonly timeoutMs: number;
  /** Pause between attempts. */
  readonly retryDelayMs: number;
  /** The header the test listener rule matches, and its value. */
  readonly header: { readonly name: string; readonly value: string };
}

export interface SmokeTestAttempt {
  readonly status?: number;
  readonly error?: string;
  readonly elapsedMs: number;
}

export interface SmokeTestResult {
  readonly passed: boolean;
  readonly attempts: SmokeTestAttempt[];
  /** One line for the deployment log: why it passed or failed. */
  readonly message: string;
}

export interface SmokeTestIo {
  readonly fetch: typeof fetch;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

const realIo: SmokeTestIo = {
  fetch: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/**
 * Calls the new revision through the test listener rule until it answers the expected status or
 * the attempts run out. A pass needs one correct answer; every attempt is reported.
 */
export async function runSmokeTest(settings: SmokeTestSettings, io: SmokeTestIo = realIo): Promise<SmokeTestResult> {
  const url = new URL(settings.path, settings.baseUrl).toString();
  const attempts: SmokeTestAttempt[] = [];
  for (let i = 0; i < settings.attempts; i++) {
    if (i > 0) await io.sleep(settings.retryDelayMs);
    const started = io.now();
    try {
      const response = await io.fetch(url, {
        method: 'GET',
        redirect: 'manual',
        headers: { [settings.header.name]: settings.header.value, 'user-agent': 'shipshape-smoke-test' },
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      await response.body?.cancel();
      attempts.push({ status: response.status, elapsedMs: io.now() - started });
      if (response.status === settings.expectedStatus) {
        return { passed: true, attempts, message: `GET ${settings.path} answered ${response.status} on attempt ${i + 1} of ${settings.attempts}` };
      }
    } catch (error) {
      const e = error as Error;
      const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${settings.timeoutMs} ms` : e.message;
      attempts.push({ error: reason, elapsedMs: io.now() - started });
    }
  }
  const got = attempts.map((a) => a.status ?? a.error).join(', ');
  return {
    passed: false,
    attempts,
    message: `GET ${settings.path} never answered ${settings.expectedStatus} in ${settings.attempts} attempts (got: ${got})`,
  };
}
