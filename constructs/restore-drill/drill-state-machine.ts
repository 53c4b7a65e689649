import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { DrillConfig } from './runtime/drill-state';

export interface DrillDefinitionProps {
  readonly config: DrillConfig;
  readonly steps: lambda.IFunction;
  readonly validator: lambda.IFunction;
  readonly pollInterval: Duration;
}

/**
 * The drill as a state machine: pick → restore → (wait, check)* → prepare access → (wait, check)*
 * → validate → report → (cleanup, wait)* → outcome. Every step before the report catches every
 * error into `$.error` and goes on to the report and the cleanup: nothing is left behind on any
 * path. Waits are Step Functions waits; no Lambda sleeps.
 */
export function drillDefinition(scope: Construct, props: DrillDefinitionProps): sfn.IChainable {
  const step = (id: string, name: string, timeoutMinutes = 2) =>
    new tasks.LambdaInvoke(scope, id, {
      lambdaFunction: props.steps,
      payload: sfn.TaskInput.fromObject({ step: name, 'state.$': '$' }),
      payloadResponseOnly: true,
      resultPath: '$',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(timeoutMinutes)),
    });
  const wait = (id: string) => new sfn.Wait(scope, id, { time: sfn.WaitTime.duration(props.pollInterval) });

  const initialize = new sfn.Pass(scope, 'Initialize', {
    parameters: { config: props.config, 'executionName.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' },
  });
  const pickSource = step('PickSource', 'pickSource');
  const startRestore = step('StartRestore', 'startRestore');
  const waitRestore = wait('WaitForRestore');
  const checkRestore = step('CheckRestore', 'checkRestore');
  const prepareAccess = step('PrepareAccess', 'prepareAccess');
  const waitAccess = wait('WaitForAccess');
  const checkAccess = step('CheckAccess', 'checkAccess');
  const validate = new tasks.LambdaInvoke(scope, 'Validate', {
    lambdaFunction: props.validator,
    payload: sfn.TaskInput.fromObject({ 'state.$': '$' }),
    payloadResponseOnly: true,
    resultPath: '$',
    taskTimeout: sfn.Timeout.duration(Duration.minutes(10)),
  });
  const report = step('Report', 'report');
  const cleanup = step('Cleanup', 'cleanup');
  cleanup.addRetry({ errors: ['States.ALL'], maxAttempts: 3, interval: Duration.minutes(1), backoffRate: 2 });
  const waitCleanup = wait('WaitForCleanup');
  // The execution fails with the cleanup's own error: CleanupTimeout when the copy outlived the
  // cleanup bound (CLEANUP_TIMEOUT_MINUTES), or why the delete failed. The failed-drill alarm
  // counts it; the sweeper deletes tagged drill copies older than its bound.
  const cleanupFailed = new sfn.Fail(scope, 'CleanupFailed', { errorPath: '$.cleanupError.Error', causePath: '$.cleanupError.Cause' });
  const succeeded = new sfn.Succeed(scope, 'DrillSucceeded');
  const failed = new sfn.Fail(scope, 'DrillFailed', { error: 'DrillFailed', cause: 'See the drill report: a step failed or a check did not pass' });

  for (const task of [pickSource, startRestore, checkRestore, prepareAccess, checkAccess, validate]) {
    task.addCatch(report, { errors: ['States.ALL'], resultPath: '$.error' });
  }
  report.addCatch(cleanup, { errors: ['States.ALL'], resultPath: '$.reportError' });
  cleanup.addCatch(cleanupFailed, { errors: ['States.ALL'], resultPath: '$.cleanupError' });

  const outcome = new sfn.Choice(scope, 'Outcome')
    .when(sfn.Condition.or(sfn.Condition.isPresent('$.error'), sfn.Condition.isNotPresent('$.validation')), failed)
    .when(sfn.Condition.booleanEquals('$.validation.passed', true), succeeded)
    .otherwise(failed);
  report.next(cleanup);
  cleanup.next(new sfn.Choice(scope, 'Cleaned').when(sfn.Condition.booleanEquals('$.cleaned', true), outcome).otherwise(waitCleanup.next(cleanup)));

  return initialize
    .next(pickSource)
    .next(startRestore)
    .next(waitRestore)
    .next(checkRestore)
    .next(
      new sfn.Choice(scope, 'RestoreReady')
        .when(sfn.Condition.booleanEquals('$.ready', true), prepareAccess.next(waitAccess).next(checkAccess).next(
          new sfn.Choice(scope, 'AccessReady').when(sfn.Condition.booleanEquals('$.ready', true), validate.next(report)).otherwise(waitAccess),
        ))
        .otherwise(waitRestore),
    );
}
