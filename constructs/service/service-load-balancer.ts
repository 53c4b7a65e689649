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

/** Where the port-80 listener waits while HTTPS is off: no security group rule opens it, so it answers no one. */
export const PARKED_LISTENER_PORT = 8079;

/** The two client-side listeners; both exist, under the same construct ids, with HTTPS on and off. */
export interface ServiceListeners {
  /**
   * The listener clients reach: HTTP on 80, or HTTPS on 443 with a certificate. Port, protocol and
   * certificate change in place, so rules hung on it (the ones ECS owns) survive a switch.
   */
  readonly serving: elbv2.ApplicationListener;
  /** With HTTPS: port 80, answering only with a redirect to 443. Without: parked on `PARKED_LISTENER_PORT`, closed. */
  readonly redirect: elbv2.ApplicationListener;
}

/**
 * The serving and redirect listeners, so that turning HTTPS on or off, or changing the certificate,
 * updates both in place (Port, Protocol, Certificates and DefaultActions are "No interruption" updates
 * of AWS::ElasticLoadBalancingV2::Listener): no listener is created or deleted, and no listener rule
 * is replaced. Port 80 changes hands in the update phase, in the order the new template's DependsOn
 * sets: with HTTPS on, the serving listener leaves 80 for 443 before the redirect listener takes 80;
 * with HTTPS off, the redirect listener leaves 80 before the serving listener takes it back. (A
 * listener removed from the template would keep its port until the cleanup phase, after every update.)
 */
export function serviceListeners(alb: elbv2.ApplicationLoadBalancer, certificate: acm.ICertificate | undefined, defaultAction: elbv2.ListenerAction): ServiceListeners {
  if (certificate) {
    const serving = alb.addListener('Serving', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [certificate],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultAction,
    });
    const redirect = alb.addListener('Redirect', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction: elbv2.ListenerAction.redirect({ port: '443', protocol: elbv2.ApplicationProtocol.HTTPS, permanent: true }),
    });
    redirect.node.addDependency(serving);
    return { serving, redirect };
  }
  const serving = alb.addListener('Serving', { port: 80, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction });
  const redirect = alb.addListener('Redirect', {
    port: PARKED_LISTENER_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' }),
  });
  serving.node.addDependency(redirect);
  return { serving, redirect };
}
