import { synthReferenceApp } from '../helpers/reference-app';

/**
 * Weak references (Fn::GetStackOutput) neither block nor propagate a change of what they read
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html):
 * a replaced secret or database would leave the running service on the old one. What the
 * service needs to run is therefore an export, which CloudFormation refuses to change while the
 * service imports it.
 */
describe('the values the running service depends on are strong references', () => {
  const app = synthReferenceApp();
  const stateless = JSON.stringify(app.statelessTemplate.toJSON());
  const imports = [...stateless.matchAll(/"Fn::ImportValue":"([^"]+)"/g)].map((m) => m[1]);

  test.each([
    ['the login secret the tasks read', /ApplicationUserSecretAttachment/],
    ['the master secret (rotation failures)', /MasterSecretAttachment/],
    ['the database endpoint', /EndpointAddress/],
    ['the database security group (the service\'s ingress rule)', /DatabaseSecurityGroup/],
  ])('%s is imported from an export', (_what, name) => {
    expect(imports.some((i) => name.test(i))).toBe(true);
  });

  test('no weak reference reads them', () => {
    const weak = [...stateless.matchAll(/"OutputName":"([^"]+)"/g)].map((m) => m[1]);
    expect(weak.filter((o) => /Secret|Endpoint|DatabaseSecurityGroup|DatabaseCluster/.test(o))).toEqual([]);
  });

  test('the exports are the stateful stack\'s', () => {
    const outputs = JSON.stringify(app.statefulTemplate.toJSON().Outputs);
    for (const name of imports) expect(outputs).toContain(`"Name":"${name}"`);
  });
});

test('blue/green releases keep the deployment circuit breaker: ECS documents it for blue/green as for rolling deployments', () => {
  // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-failure-detection.html
  const app = synthReferenceApp();
  app.statelessTemplate.hasResourceProperties('AWS::ECS::Service', {
    DeploymentConfiguration: { Strategy: 'BLUE_GREEN', DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
  });
});
