import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { ProductionNetwork } from '../../../constructs/network';
import { RedundantService, ReleaseStrategy } from '../../../constructs/service';

// Turning HTTPS on or off, or changing the certificate, is a stack update of a live service: two
// synths of the same app stand for the deployed template and the next one.

const IMAGE = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine');
const CERT_A = 'arn:aws:acm:us-east-1:111111111111:certificate/aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const CERT_B = 'arn:aws:acm:us-east-1:111111111111:certificate/bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}
type Resources = Record<string, Resource>;

/** The service's template, HTTP only or HTTPS with the given certificate. */
function synth(certificateArn?: string, releaseStrategy = ReleaseStrategy.BLUE_GREEN): Resources {
  const stack = new Stack(undefined, 'Shop');
  const network = new ProductionNetwork(stack, 'Network');
  const https = certificateArn
    ? { certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', certificateArn), domainName: 'shop.example.com' }
    : {};
  new RedundantService(stack, 'Service', { vpc: network.vpc, image: IMAGE, healthCheck: { path: '/health' }, releaseStrategy, ...https });
  return (Template.fromStack(stack).toJSON() as { Resources: Resources }).Resources;
}

const ofType = (resources: Resources, type: string): Resources => Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
const listeners = (resources: Resources) => ofType(resources, 'AWS::ElasticLoadBalancingV2::Listener');

/** The listener rules ECS rewrites during a release: the ones the service names in its AdvancedConfiguration. */
function ecsOwnedRules(resources: Resources): Resources {
  const [service] = Object.values(ofType(resources, 'AWS::ECS::Service'));
  const [{ AdvancedConfiguration: advanced }] = service.Properties.LoadBalancers as Array<{
    AdvancedConfiguration: { ProductionListenerRule: { Ref: string }; TestListenerRule: { Ref: string } };
  }>;
  const ids = [advanced.ProductionListenerRule.Ref, advanced.TestListenerRule.Ref];
  return Object.fromEntries(ids.map((id) => [id, resources[id]]));
}

/** The logical ids a resource waits for: its DependsOn, and every Ref and GetAtt in its properties. */
function directDependencies(resource: Resource): Set<string> {
  const found = new Set<string>([resource.DependsOn ?? []].flat());
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string') found.add(v.Ref);
      if (Array.isArray(v['Fn::GetAtt'])) found.add(String(v['Fn::GetAtt'][0]));
      Object.values(v).forEach(walk);
    }
  };
  walk(resource.Properties);
  return found;
}

/** Whether CloudFormation finishes `dependency` before it starts `id`, in this template. */
function waitsFor(resources: Resources, id: string, dependency: string, seen = new Set<string>()): boolean {
  if (seen.has(id) || !resources[id]) return false;
  seen.add(id);
  const direct = directDependencies(resources[id]);
  return direct.has(dependency) || [...direct].some((d) => waitsFor(resources, d, dependency, seen));
}

/** Listeners sharing a port in one template: CloudFormation cannot create or move the second one. */
function duplicatePorts(resources: Resources): string[] {
  const byPort = new Map<unknown, string[]>();
  for (const [id, l] of Object.entries(listeners(resources))) byPort.set(l.Properties.Port, [...(byPort.get(l.Properties.Port) ?? []), id]);
  return [...byPort].filter(([, ids]) => ids.length > 1).map(([port, ids]) => `port ${String(port)}: ${ids.join(', ')}`);
}

/**
 * Where the update from `before` to `after` would ask for a port another listener still holds.
 * CloudFormation creates and updates in the update phase (in dependency order of the new template)
 * and deletes removed resources in the cleanup phase, after every create and update.
 */
function portHandOverProblems(before: Resources, after: Resources): string[] {
  const problems: string[] = [];
  for (const [id, listener] of Object.entries(listeners(after))) {
    const port = listener.Properties.Port;
    if (listeners(before)[id]?.Properties.Port === port) continue; // keeps its port: asks for nothing
    for (const [holder, held] of Object.entries(listeners(before))) {
      if (holder === id || held.Properties.Port !== port) continue;
      if (!listeners(after)[holder]) problems.push(`${id} takes port ${String(port)}, which ${holder} keeps until the cleanup phase deletes it`);
      else if (!waitsFor(after, id, holder)) problems.push(`${id} may take port ${String(port)} before ${holder} leaves it: nothing orders ${id} after ${holder}`);
    }
  }
  return problems;
}

const httpOnly = synth();
const httpsWithA = synth(CERT_A);
const httpsWithB = synth(CERT_B);

describe.each([
  ['HTTPS off → on', httpOnly, httpsWithA],
  ['HTTPS on → off', httpsWithA, httpOnly],
  ['certificate A → B', httpsWithA, httpsWithB],
])('%s', (_switch, before, after) => {
  test('the listener rules ECS owns keep their logical ids and every property, so CloudFormation leaves their weights alone', () => {
    expect(Object.keys(ecsOwnedRules(before))).toHaveLength(2);
    expect(ecsOwnedRules(after)).toEqual(ecsOwnedRules(before));
  });

  test('neither template has two listeners on one port', () => {
    expect(duplicatePorts(before)).toEqual([]);
    expect(duplicatePorts(after)).toEqual([]);
  });

  test('no listener asks for a port another holds: a port changes hands only after its holder has moved away', () => {
    expect(portHandOverProblems(before, after)).toEqual([]);
  });

  test('every listener is updated in place: none is created or deleted', () => {
    expect(Object.keys(listeners(after)).sort()).toEqual(Object.keys(listeners(before)).sort());
  });
});

describe.each([
  ['rolling releases, HTTPS off → on', synth(undefined, ReleaseStrategy.ROLLING), synth(CERT_A, ReleaseStrategy.ROLLING)],
  ['rolling releases, HTTPS on → off', synth(CERT_A, ReleaseStrategy.ROLLING), synth(undefined, ReleaseStrategy.ROLLING)],
])('%s', (_switch, before, after) => {
  test('the listeners move in place, and each port changes hands in order', () => {
    expect(duplicatePorts(after)).toEqual([]);
    expect(portHandOverProblems(before, after)).toEqual([]);
    expect(Object.keys(listeners(after)).sort()).toEqual(Object.keys(listeners(before)).sort());
  });
});

test('the checks see a port taken from a listener that CloudFormation deletes only at cleanup', () => {
  // GIVEN a listener on 80 removed from the template while a new one takes 80
  const before: Resources = { Old: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: 80 } } };
  const after: Resources = { New: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: 80 } } };
  // THEN it is reported; and a move without DependsOn is reported as unordered
  expect(portHandOverProblems(before, after)).toEqual(['New takes port 80, which Old keeps until the cleanup phase deletes it']);
  const moved: Resources = {
    Old: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: 8079 } },
    New: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: 80 } },
  };
  expect(portHandOverProblems(before, moved)).toEqual(['New may take port 80 before Old leaves it: nothing orders New after Old']);
  expect(portHandOverProblems(before, { ...moved, New: { ...moved.New, DependsOn: ['Old'] } })).toEqual([]);
});
