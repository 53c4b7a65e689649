import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Reported when no successful drill is on record (Step Functions keeps executions 90 days). */
export const NEVER = 9999;

/**
 * Days since the last successful drill. A drill's execution succeeds only when the copy was
 * restored and every check passed (a failed drill ends in a Fail state), so the newest
 * SUCCEEDED execution is the last proof the backups restore.
 */
export async function daysSinceLastSuccess(sfn: SFNClient, stateMachineArn: string, now: Date): Promise<number> {
  const out = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED', maxResults: 1 }));
  const last = out.executions?.[0]?.stopDate;
  if (!last) return NEVER;
  return Math.round(((now.getTime() - last.getTime()) / 86_400_000) * 100) / 100;
}
