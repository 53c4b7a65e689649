import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { Construct } from 'constructs';
import type { RedundantServiceProps } from './redundant-service-props';
import type { ResolvedServiceProps } from './resolve-service-props';

/** A target group for the service's tasks with the fast health checks in force (blue/green makes two alike). */
export function serviceTargetGroup(scope: Construct, id: string, props: RedundantServiceProps, resolved: ResolvedServiceProps): elbv2.ApplicationTargetGroup {
  const timing = resolved.healthCheckTiming;
  return new elbv2.ApplicationTargetGroup(scope, id, {
    vpc: props.vpc,
    port: resolved.port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay: resolved.deregistrationDelay,
    loadBalancingAlgorithmType: elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
    healthCheck: {
      path: resolved.healthPath,
      interval: Duration.seconds(timing.intervalSeconds),
      timeout: Duration.seconds(timing.timeoutSeconds),
      unhealthyThresholdCount: timing.unhealthyThreshold,
      healthyThresholdCount: timing.healthyThreshold,
      healthyHttpCodes: '200-399',
    },
  });
}

/** A DNS-validated certificate for `domainName` in `hostedZone`, when both are given. */
export function dnsValidatedCertificate(scope: Construct, props: RedundantServiceProps): acm.ICertificate | undefined {
  if (!props.hostedZone || !props.domainName) return undefined;
  return new acm.Certificate(scope, 'Certificate', {
    domainName: props.domainName,
    validation: acm.CertificateValidation.fromDns(props.hostedZone),
  });
}

/** HTTPS on 443 with a modern TLS policy, and port 80 answering only with a redirect to it. */
export function httpsListeners(alb: elbv2.ApplicationLoadBalancer, certificate: acm.ICertificate, defaultAction: elbv2.ListenerAction): elbv2.ApplicationListener {
  alb.addRedirect({ sourcePort: 80, targetPort: 443 });
  return alb.addListener('Https', { port: 443, certificates: [certificate], sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS, defaultAction });
}
