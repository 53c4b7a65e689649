import { addPolicyPacks, synthWithPolicyGate } from '../../../lib/policy';
import { newApp } from '../../helpers/reference-app';
import { composeMonitoredService } from './compose';

describe('PrometheusMonitoring under the policy gate', () => {
  test('a VPC, a RedundantService, ServiceAlarms\' topic and PrometheusMonitoring synthesize with no unacknowledged finding, CloudFormation validation included', () => {
    const { app } = composeMonitoredService({}, {}, newApp());
    addPolicyPacks(app);
    expect(() => synthWithPolicyGate(app)).not.toThrow();
  });
});
