import { acknowledge } from '../private/acknowledge';
import type { RedundantService } from './redundant-service';

export interface ServiceFindingContext {
  /** Whether clients reach the service over HTTPS. */
  readonly https: boolean;
  /** Whether the load balancer is protected from deletion. */
  readonly deletionProtection: boolean;
  /** Whether the container gets plain environment variables. */
  readonly environment: boolean;
}

/** Acknowledges, on the construct each concerns, the policy findings a RedundantService raises by design. */
export function acknowledgeServiceFindings(service: RedundantService, context: ServiceFindingContext): void {
  const alb = service.loadBalancer;
  if (context.environment) {
    acknowledge(
      service.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment carries non-secret settings only (such as the database host and port); every secret is injected from Secrets Manager through `secrets`.',
    );
  }
  acknowledge(
    alb.connections.securityGroups[0],
    'AwsSolutions-EC23',
    'An internet-facing load balancer accepts its client ports (80, and 443 with HTTPS) from anywhere by purpose; the blue/green test port admits only the smoke test\'s security group, and the tasks accept traffic only from this security group.',
  );
  acknowledge(
    alb,
    'NIST.800.53.R5-ALBWAFEnabled',
    'Which WAF rules fit is the application team\'s call (and costs $5/month plus $1 per rule); associate a WebACL with service.loadBalancer to add one.',
  );
  const executionPolicy = service.taskDefinition.executionRole?.node.tryFindChild('DefaultPolicy');
  acknowledge(
    executionPolicy,
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'CDK generates this policy for this one execution role, scoped to its image, log group and injected secrets; it lives and dies with the role.',
  );
  acknowledge(
    executionPolicy,
    'AwsSolutions-IAM5[Resource::*]',
    'ecr:GetAuthorizationToken has no resource-level permissions; image pulls themselves are scoped to the repository.',
  );
  const taskPolicy = service.taskDefinition.taskRole.node.tryFindChild('DefaultPolicy');
  acknowledge(
    taskPolicy,
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'CDK generates this policy from grants to this one task role, each scoped to the resource granted; it lives and dies with the role.',
  );
  if (!context.deletionProtection) {
    acknowledge(
      alb,
      'NIST.800.53.R5-ELBDeletionProtectionEnabled',
      'Deletion protection was turned off explicitly (deletionProtection: false), for a non-production load balancer that holds no data.',
    );
  }
  if (context.https) {
    acknowledge(
      service.redirectListener,
      'NIST.800.53.R5-ELBv2ACMCertificateRequired',
      'This port-80 listener only answers with a redirect to the HTTPS listener; it serves no content and needs no certificate.',
    );
  } else {
    const parked =
      'With HTTPS off this listener is parked: no security group rule admits its port, so no one reaches it. It exists so that turning HTTPS on or off moves port 80 between listeners in place (see serviceListeners).';
    acknowledge(service.redirectListener, 'NIST.800.53.R5-ALBHttpToHttpsRedirection', parked);
    acknowledge(service.redirectListener, 'NIST.800.53.R5-ELBv2ACMCertificateRequired', parked);
    const reason =
      'No certificate or domain is configured, so the service answers plain HTTP on the load balancer DNS name; ' +
      'give certificate + domainName (or hostedZone + domainName) for HTTPS with an HTTP redirect.';
    acknowledge(service.listener, 'NIST.800.53.R5-ALBHttpToHttpsRedirection', reason);
    acknowledge(service.listener, 'NIST.800.53.R5-ELBv2ACMCertificateRequired', reason);
  }
}
