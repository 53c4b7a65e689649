import type { BackupClient } from '@aws-sdk/client-backup';
import type { RDSClient } from '@aws-sdk/client-rds';

/** The AWS clients and clock the drill steps use; tests pass mocked clients and a fixed clock. */
export interface DrillClients {
  readonly rds: RDSClient;
  readonly backup: BackupClient;
  readonly now: () => Date;
}

/** A drill step failed in a way the state machine reports as the drill's failure reason. */
export class DrillError extends Error {
  constructor(
    public readonly code: 'NoBackup' | 'RestoreFailed' | 'DrillTimeout' | 'NotADrillResource' | 'CleanupTimeout',
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}
