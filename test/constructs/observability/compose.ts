import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { ServiceAlarms } from '../../../constructs/alarms';
import { ProductionNetwork } from '../../../constructs/network';
import { PrometheusMonitoring, type PrometheusMonitoringProps } from '../../../constructs/observability';
import { RedundantService, type RedundantServiceProps } from '../../../constructs/service';

/** A VPC, a RedundantService, ServiceAlarms' topic and PrometheusMonitoring on that topic (or the one `topicOf` gives). */
export function composeMonitoredService(
  props: Partial<Omit<PrometheusMonitoringProps, 'service' | 'topic'>> = {},
  serviceProps: Partial<RedundantServiceProps> = {},
  app: App = new App(),
  topicOf: (stack: Stack, alarms: ServiceAlarms) => sns.ITopic = (_, alarms) => alarms.topic,
) {
  const stack = new Stack(app, 'Shop');
  const network = new ProductionNetwork(stack, 'Network');
  const service = new RedundantService(stack, 'Service', {
    vpc: network.vpc,
    taskSubnets: network.appSubnets,
    loadBalancerSubnets: network.publicSubnets,
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'),
    ...serviceProps,
  });
  const alarms = new ServiceAlarms(stack, 'Alarms', { service, emails: ['oncall@shop.dev'] });
  const monitoring = new PrometheusMonitoring(stack, 'Prometheus', { service, topic: topicOf(stack, alarms), ...props });
  return { app, stack, service, alarms, monitoring };
}
