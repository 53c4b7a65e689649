import * as logs from 'aws-cdk-lib/aws-logs';
import { DatabaseEngine } from '../../constructs/database';
import { NatDevice, NatStrategy } from '../../constructs/network';
import type { Profile } from './schema';

/** What a profile sets when the configuration is silent. Later capabilities add their own. */
export interface ProfileDefaults {
  readonly network: {
    readonly maxAzs: 2 | 3;
    readonly natStrategy: NatStrategy;
    readonly natDevice: NatDevice;
    readonly natInstanceType: string;
    readonly flowLogRetentionDays: logs.RetentionDays;
  };
  readonly service: {
    readonly desiredCount: number;
    readonly maxCount: number;
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly deletionProtection: boolean;
    readonly logRetentionDays: logs.RetentionDays;
  };
  readonly database: {
    readonly engine: DatabaseEngine;
    readonly instanceType: string;
    readonly multiAz: boolean;
  };
}

/**
 * `production`: every part highly available; nothing is a single point of failure. Egress goes
 * through a NAT instance in each AZ (t4g.micro, ~$6/month each with its disk, instead of a NAT
 * gateway at ~$33 + $0.045/GB): each AZ keeps its own path out; docs/cost.md has the trade-offs.
 * `budget`: for staging and small teams: fewer, smaller, cheaper parts, still encrypted,
 * backed up and alarmed. One NAT instance (t4g.nano) for both AZs; interface
 * endpoints would cost more than the NAT they replace (6 endpoints x 2 AZs ~ $88/month). Two of
 * the smallest tasks (0.25 vCPU, 0.5 GB), still spread over 2 AZs; no deletion protection on the ALB.
 * The database is RDS on one db.t4g.micro (~$12/month) without a standby, rather than Aurora
 * Serverless v2 with a reader (2 x 0.5 ACU minimum ~ $88/month) or a Multi-AZ standby (+$14):
 * the same backups, point-in-time restore and drills, but losing its AZ means restoring a backup
 * into another AZ (RPO ~5 min, RTO what the drill measures). `database.multiAz: true` adds the standby.
 */
export const PROFILE_DEFAULTS: Record<Profile, ProfileDefaults> = {
  production: {
    // NAT gateways, not instances: an instance's Amazon Linux image is resolved at every deploy, so a
    // deploy after a new image replaces every NAT instance at once (egress pauses, its address changes).
    network: { maxAzs: 2, natStrategy: NatStrategy.PER_AZ, natDevice: NatDevice.GATEWAY, natInstanceType: 't4g.micro', flowLogRetentionDays: logs.RetentionDays.ONE_YEAR },
    service: { desiredCount: 2, maxCount: 10, cpu: 512, memoryMiB: 1024, deletionProtection: true, logRetentionDays: logs.RetentionDays.ONE_YEAR },
    database: { engine: DatabaseEngine.AURORA_SERVERLESS_V2, instanceType: 't4g.small', multiAz: true },
  },
  budget: {
    network: { maxAzs: 2, natStrategy: NatStrategy.SINGLE, natDevice: NatDevice.INSTANCE, natInstanceType: 't4g.nano', flowLogRetentionDays: logs.RetentionDays.ONE_MONTH },
    service: { desiredCount: 2, maxCount: 4, cpu: 256, memoryMiB: 512, deletionProtection: false, logRetentionDays: logs.RetentionDays.ONE_MONTH },
    database: { engine: DatabaseEngine.RDS_MULTI_AZ, instanceType: 't4g.micro', multiAz: false },
  },
};
