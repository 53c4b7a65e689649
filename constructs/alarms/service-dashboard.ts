import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { ResilientDatabase } from '../database/resilient-database';
import type { RestoreDrill } from '../restore-drill/restore-drill';
import type { RedundantService } from '../service/redundant-service';
import type { ServiceAlarms } from './service-alarms';

export interface ServiceDashboardProps {
  readonly service: RedundantService;
  /** @default - no database row */
  readonly database?: ResilientDatabase;
  /** @default - no drill row */
  readonly drill?: RestoreDrill;
  /** @default - no alarm status widget */
  readonly alarms?: ServiceAlarms;
  /**
   * @default - a name CloudFormation generates
   */
  readonly dashboardName?: string;
}

const MINUTE = Duration.minutes(1);
const W = 8;

/**
 * One page per service: requests, errors and latency (RED), tasks and their resources, the
 * database's health, the last drills' RTO, RPO and outcome, and the state of every alarm.
 */
export class ServiceDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const { service, database, drill, alarms } = props;
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const errorRate = service.metric5xxRatePercent();
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Requests per minute', width: W, left: [service.metricRequestCount({ period: MINUTE })] }),
      new cloudwatch.GraphWidget({ title: 'Errors (% of requests)', width: W, left: [errorRate], right: [service.metricApplicationErrors()] }),
      new cloudwatch.GraphWidget({
        title: 'Latency (s)',
        width: W,
        left: ['p50', 'p90', 'p99'].map((p) => service.metricTargetResponseTime({ statistic: p, period: MINUTE, label: p })),
      }),
      new cloudwatch.GraphWidget({ title: 'Tasks', width: W, left: [service.metricRunningTaskCount({ label: 'running' }), service.metricDesiredTaskCount({ label: 'desired' })] }),
      new cloudwatch.GraphWidget({ title: 'Task CPU and memory (%)', width: W, left: [service.metricCpuUtilization({ label: 'CPU' }), service.metricMemoryUtilization({ label: 'memory' })] }),
      new cloudwatch.GraphWidget({ title: 'Targets', width: W, left: [service.metricHealthyHostCount({ label: 'healthy' }), service.metricUnhealthyHostCount({ label: 'unhealthy' })] }),
    );
    if (database) {
      const lag = database.metricReplicaLag({ label: 'replica lag (ms)' });
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title: 'Database CPU (%) and connections', width: W, left: [database.metricCPUUtilization()], right: [database.metricDatabaseConnections()] }),
        new cloudwatch.GraphWidget({ title: 'Database memory and storage (bytes)', width: W, left: [database.metricFreeableMemory({ label: 'freeable memory' }), database.metricFreeStorageSpace({ label: 'free storage' })] }),
        new cloudwatch.GraphWidget({ title: 'Deadlocks and replica lag', width: W, left: [database.metricDeadlocks({ label: 'deadlocks' })], right: lag ? [lag] : [] }),
      );
    }
    if (drill) {
      this.dashboard.addWidgets(
        new cloudwatch.SingleValueWidget({
          title: 'Last restore drill',
          width: 12,
          metrics: [drill.metricRtoSeconds({ label: 'RTO (s)' }), drill.metricRpoSeconds({ label: 'RPO (s)' }), drill.metricDaysSinceLastSuccess({ label: 'days since success' })],
          period: Duration.days(7),
        }),
        new cloudwatch.GraphWidget({
          title: 'Restore drills',
          width: 12,
          left: [drill.metricDrillSucceeded({ label: 'succeeded', period: Duration.days(1) }), drill.metricDrillFailed({ label: 'failed', period: Duration.days(1) })],
          view: cloudwatch.GraphWidgetView.BAR,
        }),
      );
    }
    if (alarms) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: [alarms.serviceUnhealthy, ...Object.values(alarms.alarms)] }),
      );
    }
  }
}
