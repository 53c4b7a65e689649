import * as http from 'node:http';

/** What the pre-traffic smoke test requests, and what counts as a pass. */
export interface SmokeTestSettings {
  /**
   * The load balancer's private addresses: the test listener admits only the smoke test's security
   * group, which a request to the public addresses (the DNS name) would not carry. Attempts take them
   * in turn.
   */
  readonly addresses: readonly string[];
  /** The test listener's port. */
  readonly port: number;
  /** The Host header: the name clients use, so the application sees a request like theirs. */
  readonly host: string;
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
  readonly address: string;
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

/** One GET: where it goes, and what it carries. */
export interface SmokeTestRequest {
  readonly address: string;
  readonly port: number;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface SmokeTestIo {
  /** Sends the request and answers the response status, without following redirects. */
  readonly get: (request: SmokeTestRequest) => Promise<number>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** A GET with node:http: fetch would drop the Host header, which the test must set. */
function httpGet(request: SmokeTestRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: request.address, port: request.port, path: request.path, method: 'GET', headers: request.headers, signal: AbortSignal.timeout(request.timeoutMs) },
      (response) => {
        resolve(response.statusCode ?? 0);
        response.destroy(); // only the status counts
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const realIo: SmokeTestIo = {
  get: httpGet,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/**
 * Calls the new revision through the test listener rule until it answers the expected status or
 * the attempts run out, taking the load balancer's addresses in turn. A pass needs one correct
 * answer; every attempt is reported.
 */
export async function runSmokeTest(settings: SmokeTestSettings, io: SmokeTestIo = realIo): Promise<SmokeTestResult> {
  if (settings.addresses.length === 0) {
    return { passed: false, attempts: [], message: 'the load balancer has no private address to call' };
  }
  const attempts: SmokeTestAttempt[] = [];
  const headers = { host: settings.host, [settings.header.name]: settings.header.value, 'user-agent': 'shipshape-smoke-test' };
  for (let i = 0; i < settings.attempts; i++) {
    if (i > 0) await io.sleep(settings.retryDelayMs);
    const address = settings.addresses[i % settings.addresses.length];
    const started = io.now();
    try {
      const status = await io.get({ address, port: settings.port, path: settings.path, headers, timeoutMs: settings.timeoutMs });
      attempts.push({ address, status, elapsedMs: io.now() - started });
      if (status === settings.expectedStatus) {
        return { passed: true, attempts, message: `GET ${settings.path} answered ${status} on attempt ${i + 1} of ${settings.attempts}` };
      }
    } catch (error) {
      const e = error as Error;
      const reason = e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${settings.timeoutMs} ms` : e.message;
      attempts.push({ address, error: reason, elapsedMs: io.now() - started });
    }
  }
  const got = attempts.map((a) => a.status ?? a.error).join(', ');
  return {
    passed: false,
    attempts,
    message: `GET ${settings.path} never answered ${settings.expectedStatus} in ${settings.attempts} attempts (got: ${got})`,
  };
}

/** A network interface, as DescribeNetworkInterfaces answers it (the fields used here). */
export interface NetworkInterfaceAddress {
  readonly Status?: string;
  readonly PrivateIpAddress?: string;
}

/** The private addresses of the load balancer's network interfaces in use, sorted, without repeats. */
export function loadBalancerAddresses(interfaces: readonly NetworkInterfaceAddress[]): string[] {
  const addresses = interfaces.filter((eni) => eni.Status === 'in-use' && eni.PrivateIpAddress).map((eni) => eni.PrivateIpAddress as string);
  return [...new Set(addresses)].sort();
}
