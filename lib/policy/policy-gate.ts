import * as fs from 'node:fs';
import * as path from 'node:path';
import { type App, Validations } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';

/** One unacknowledged finding of a policy pack (or of CDK's own CloudFormation validation). */
export interface PolicyFinding {
  readonly pack: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
  readonly description: string;
}

/** A synth that produced unacknowledged findings, warnings included. */
export class PolicyGateError extends Error {
  constructor(public readonly findings: readonly PolicyFinding[]) {
    super(
      `${findings.length} unacknowledged policy finding(s):\n` +
        findings.map((f) => `  - [${f.pack}] ${f.rule} at ${f.constructPath}: ${f.description}`).join('\n'),
    );
    this.name = 'PolicyGateError';
  }
}

/**
 * Adds the policy packs shipshape holds itself to: AWS Solutions and NIST 800-53 rev 5.
 * Acknowledgments are copied into template metadata (`cdk_nag`) so reviewers can read them.
 */
export function addPolicyPacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    new NIST80053R5Checks(app, { writeSuppressionsToCloudFormation: true }),
  );
}

/**
 * Synthesizes `app` and throws `PolicyGateError` on any unacknowledged finding of any
 * validation plugin, at any severity: CDK itself only stops on errors.
 */
export function synthWithPolicyGate(app: App): CloudAssembly {
  try {
    const assembly = app.synth();
    const findings = readFindings(assembly.directory);
    if (findings.length > 0) throw new PolicyGateError(findings);
    return assembly;
  } catch (error) {
    if (error instanceof PolicyGateError) throw error;
    const findings = readFindings(app.outdir);
    if (findings.length > 0) throw new PolicyGateError(findings);
    throw error;
  }
}

interface ValidationReport {
  readonly pluginReports?: ReadonlyArray<{
    readonly pluginName: string;
    readonly violations?: ReadonlyArray<{
      readonly ruleName: string;
      readonly description: string;
      readonly severity?: string;
      readonly violatingConstructs?: ReadonlyArray<{ readonly constructPath?: string }>;
    }>;
  }>;
}

/** The findings in an assembly's `validation-report.json` (none if there is no report). */
export function readFindings(assemblyDir: string): PolicyFinding[] {
  const file = path.join(assemblyDir, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport;
  return (report.pluginReports ?? []).flatMap((plugin) =>
    (plugin.violations ?? []).flatMap((violation) =>
      (violation.violatingConstructs ?? [{}]).map((construct) => ({
        pack: plugin.pluginName,
        rule: violation.ruleName,
        severity: violation.severity ?? 'error',
        constructPath: construct.constructPath ?? '(unknown)',
        description: violation.description,
      })),
    ),
  );
}
