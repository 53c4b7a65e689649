import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { type PolicyFinding, PolicyGateError, synthWithPolicyGate } from './policy-gate';

export interface PolicyGateRunOptions {
  /**
   * Where the report goes.
   * @default - standard error
   */
  readonly print?: (text: string) => void;
  /**
   * Ends the program with the exit code.
   * @default - process.exit
   */
  readonly exit?: (code: number) => void;
}

/** What CDK prints of its own validation report (and its warning preamble): the gate prints the findings instead. */
const CDK_REPORT = /Acknowledge with '|validation-report\.json|Template validation found issues|^Validation failed/m;

/** The findings as one report: what to do first, one line per finding, errors first, and where the full report is. */
export function formatPolicyReport(findings: readonly PolicyFinding[], assemblyDir: string): string {
  const ordered = [...findings].sort((a, b) => Number(a.severity !== 'error') - Number(b.severity !== 'error'));
  return [
    `Policy gate: ${findings.length} unacknowledged finding${findings.length === 1 ? '' : 's'}; nothing was synthesized for deployment.`,
    'Fix each, or acknowledge it on the narrowest construct with a reason a reviewer can check:',
    "  Validations.of(construct).acknowledge({ id: '<rule>', reason: 'why it is safe here' })",
    ...ordered.map((f) => `  ${f.severity.toUpperCase().padEnd(7)} ${f.rule} at ${f.constructPath}: ${f.description}`),
    `Full report: ${path.join(assemblyDir, 'validation-report.json')}`,
  ].join('\n');
}

/**
 * Synthesizes `app` through the policy gate as a CDK app's entry point: on any unacknowledged
 * finding it prints one report (each finding once: CDK's own copy of it is held back) and ends the
 * program with exit code 1, without a stack trace. Errors other than findings are thrown as they are.
 *
 * ```ts
 * const app = new App();
 * new MyServiceStack(app, 'Shop');
 * addPolicyPacks(app);
 * runWithPolicyGate(app);
 * ```
 */
export function runWithPolicyGate(app: App, options: PolicyGateRunOptions = {}): CloudAssembly | undefined {
  const print = options.print ?? ((text: string) => process.stderr.write(`${text}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const held: unknown[][] = [];
  const consoleError = console.error;
  // CDK prints its validation report with console.error before the gate sees the findings.
  console.error = (...args: unknown[]) => void held.push(args);
  let assembly: CloudAssembly | undefined;
  let failure: PolicyGateError | undefined;
  try {
    assembly = synthWithPolicyGate(app);
  } catch (error) {
    if (!(error instanceof PolicyGateError)) throw error;
    failure = error;
  } finally {
    console.error = consoleError;
    for (const args of held) if (!failure || !CDK_REPORT.test(args.map(String).join(' '))) consoleError(...args);
  }
  if (failure) {
    print(formatPolicyReport(failure.findings, app.outdir));
    exit(1);
    return undefined;
  }
  return assembly;
}
