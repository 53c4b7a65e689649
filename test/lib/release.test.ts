import { Match, type Template } from 'aws-cdk-lib/assertions';
import { resolveConfig } from '../../lib/config';
import { synthReferenceApp } from './../helpers/reference-app';

const ECR_IMAGE = { 'shipshape.service': { image: { repository: 'shop', tag: 'v1' } } };
const GIT = { kind: 'git', connectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/abc-123', repository: 'acme/shop', testCommands: ['npm ci', 'npm run test:ci'] };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = (t: Template, type: string) => t.findResources(type) as Resources;

/** The Image of the named container, as JSON. */
function imageOf(t: Template, container: string): string {
  const defs = Object.values(resources(t, 'AWS::ECS::TaskDefinition')).flatMap((d) => d.Properties.ContainerDefinitions as Array<{ Name: string; Image: unknown }>);
  return JSON.stringify(defs.find((c) => c.Name === container)?.Image);
}

describe('a release pipeline from an ECR push, with approval and a migration', () => {
  const { statelessTemplate: t } = synthReferenceApp({ ...ECR_IMAGE, 'shipshape.pipeline': { source: { kind: 'ecr', tag: 'release' }, migrationCommand: ['npm', 'run', 'migrate'], manualApproval: true } });

  test('stages in order: source, approve, migrate, deploy; V2', () => {
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      Stages: [
        Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'ECR' }), Configuration: { RepositoryName: 'shop', ImageTag: 'release' }, Namespace: 'Source' })] }),
        Match.objectLike({ Name: 'Approve', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Category: 'Approval' }) })] }),
        Match.objectLike({ Name: 'Migrate', Actions: [Match.objectLike({ Configuration: Match.objectLike({ UserParameters: Match.serializedJson(Match.objectLike({ kind: 'migrate', version: '@#{Source.ImageDigest}' })) }) })] }),
        Match.objectLike({ Name: 'Deploy', Actions: [Match.objectLike({ Configuration: Match.objectLike({ UserParameters: Match.serializedJson(Match.objectLike({ kind: 'deploy', version: '@#{Source.ImageDigest}' })) }) })] }),
      ],
    });
  });

  test('the migration task runs the command in the application image at its own version parameter, with the database login injected', () => {
    const migrationVersion = t.findParameters('*', { Type: 'String', Default: ':v1', AllowedPattern: Match.stringLikeRegexp('sha256'), Description: Match.stringLikeRegexp('migration task') });
    expect(Object.keys(migrationVersion)).toEqual(['MigrationImageVersion']);
    t.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'migrate',
          Command: ['npm', 'run', 'migrate'],
          ReadonlyRootFilesystem: true,
          Secrets: Match.arrayWith([Match.objectLike({ Name: 'DB_PASSWORD' })]),
        }),
      ],
    });
    expect(imageOf(t, 'migrate')).toMatch(/^\{"Fn::Join":\["",\[.*\{"Ref":"MigrationImageVersion"\}\]\]\}$/);
  });

  test('the release step sets the two stable stack parameters an operator sets by hand: ImageVersion and MigrationImageVersion', () => {
    const [fn] = Object.values(resources(t, 'AWS::Lambda::Function')).filter((f) => JSON.stringify(f.Properties).includes('RELEASE_TARGET'));
    expect(JSON.stringify(fn.Properties.Environment)).toContain('\\"parameters\\":{\\"deploy\\":\\"ImageVersion\\",\\"migrate\\":\\"MigrationImageVersion\\"}');
    expect(Object.keys(t.toJSON().Parameters as object).filter((name) => /ImageVersion/.test(name)).sort()).toEqual(['ImageVersion', 'MigrationImageVersion']);
  });

  test('the migration runs in the private subnets with its own security group, allowed to the database', () => {
    const [fn] = Object.values(resources(t, 'AWS::Lambda::Function')).filter((f) => JSON.stringify(f.Properties).includes('RELEASE_TARGET'));
    const target = JSON.stringify(fn.Properties.Environment);
    expect(target).toContain('PrivateSubnet1');
    expect(target).toContain('MigrationSecurityGroup');
    expect(target).toContain('\\"containerName\\":\\"migrate\\"');
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReleaseMigrationSecurityGroup'), 'GroupId'] },
    });
  });

  test('CloudFormation updates through a role only for what an image change touches', () => {
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'cloudformation.amazonaws.com' } })] } });
    const statements = Object.values(resources(t, 'AWS::IAM::Policy')).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement);
    expect(statements.find((s) => s.Sid === 'UpdateTheService')).toMatchObject({
      Action: ['ecs:DescribeServices', 'ecs:ListTagsForResource', 'ecs:TagResource', 'ecs:UpdateService'],
      Resource: { Ref: expect.stringMatching(/^Service/) as unknown },
    });
    expect(statements.find((s) => s.Sid === 'PassTaskRoles')).toMatchObject({ Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } });
  });

  test('failed or stopped releases go to the alarm topic; artifacts are KMS-encrypted and TLS-only', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.codepipeline'], detail: { state: ['FAILED', 'STOPPED'] } }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('AlarmsNotificationsTopic') } })],
    });
    t.hasResourceProperties('AWS::S3::Bucket', { BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] } });
  });

  test('the CLI finds the service and the pipeline through stack outputs', () => {
    t.hasOutput('ServiceArn', {});
    t.hasOutput('ReleasePipelineName', {});
  });
});

describe('a release pipeline from Git', () => {
  const { statelessTemplate: t } = synthReferenceApp({ ...ECR_IMAGE, 'shipshape.pipeline': { source: GIT } });

  test('source, test-and-build, deploy; the build runs the tests, pushes the commit tag and exports the digest', () => {
    t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: [Match.objectLike({ Name: 'Source' }), Match.objectLike({ Name: 'Build' }), Match.objectLike({ Name: 'Deploy', Actions: [Match.objectLike({ Configuration: Match.objectLike({ UserParameters: Match.serializedJson(Match.objectLike({ kind: 'deploy', version: '#{Build.IMAGE_VERSION}' })) }) })] })],
    });
    const [project] = Object.values(resources(t, 'AWS::CodeBuild::Project'));
    expect(project.Properties.Environment).toMatchObject({ PrivilegedMode: true });
    const spec = JSON.parse((project.Properties.Source as { BuildSpec: string }).BuildSpec) as {
      env: Record<string, string[]>;
      phases: Record<string, { commands: string[] }>;
    };
    expect(spec.env['exported-variables']).toEqual(['IMAGE_VERSION']);
    expect(spec.phases.build.commands.slice(0, 2)).toEqual(['npm ci', 'npm run test:ci']);
    // A commit already in the repository (a retried build) is released as it was pushed: its tag is immutable.
    expect(spec.phases.build.commands[2]).toMatch(/imageTag=\$\{TAG\}.*else docker build -t \$\{REPOSITORY_URI\}:\$\{TAG\} \. && docker push \$\{REPOSITORY_URI\}:\$\{TAG\}; fi$/);
    expect(spec.phases.build.commands).toHaveLength(3);
    expect(spec.phases.post_build.commands[1]).toBe('export IMAGE_VERSION="@${DIGEST}"');
  });
});

describe('the template and the live service never disagree (aws-cdk#36649)', () => {
  // Two deploys of the same app: the second changes tags, owner, sizes, alarms and the configured tag.
  const first = synthReferenceApp({ ...ECR_IMAGE, 'shipshape.pipeline': { source: { kind: 'ecr' } } }).statelessTemplate;
  const second = synthReferenceApp({
    'shipshape.service': { image: { repository: 'shop', tag: 'v2' }, desiredCount: 3, healthCheckPath: '/ready' },
    'shipshape.tags': { team: 'payments' },
    'shipshape.owner': 'someone-else@example.com',
    'shipshape.alarms': { thresholds: { p99LatencySeconds: 2 } },
    'shipshape.pipeline': { source: { kind: 'ecr' } },
  }).statelessTemplate;

  test('the listener rules ECS manages are identical, so CloudFormation never rewrites their weights', () => {
    const rules = (t: Template) => resources(t, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(Object.keys(rules(first))).toHaveLength(2);
    expect(rules(second)).toEqual(rules(first));
  });

  test('the image comes from the ImageVersion parameter, never from the template', () => {
    for (const t of [first, second]) expect(imageOf(t, 'app')).toMatch(/\{"Ref":"ImageVersion"\}\]\]\}$/);
    // Only the parameter default follows the configured tag; a later cdk deploy passes UsePreviousValue for it.
    first.hasParameter('ImageVersion', { Default: ':v1' });
    second.hasParameter('ImageVersion', { Default: ':v2' });
  });
});

test('a pipeline needs an ECR image', () => {
  expect(() => resolveConfig({ service: { image: { uri: 'public.ecr.aws/acme/shop:1' } }, pipeline: { source: { kind: 'ecr' } } })).toThrow(/shipshape.pipeline: releases deploy images from this account's ECR/);
});

test('a pipeline source must be ecr or git, with what each needs', () => {
  expect(() => resolveConfig({ service: { image: { repository: 'shop', tag: 'v1' } }, pipeline: { source: { kind: 'git', repository: 'shop' } } })).toThrow(/connectionArn|owner\/name/);
});

describe('release configuration', () => {
  test('defaults: blue/green, a 10-minute bake, the smoke test on the reference application\'s readiness path, else on the health check path', () => {
    expect(resolveConfig({}).service).toMatchObject({ releaseStrategy: 'blue-green', bakeMinutes: 10, smokeTestPath: '/health/ready' });
    expect(resolveConfig({ service: { healthCheckPath: '/health' } }).service.smokeTestPath).toBe('/health');
  });

  test('bad values name the key and what is allowed', () => {
    expect(() => resolveConfig({ service: { releaseStrategy: 'canary' } })).toThrow(/shipshape.service.releaseStrategy.*blue-green \| rolling/);
    expect(() => resolveConfig({ service: { bakeMinutes: 0 } })).toThrow(/shipshape.service.bakeMinutes/);
    expect(() => resolveConfig({ alarms: { fastErrorMetric: { namespace: 'shop' } } })).toThrow(/shipshape.alarms.fastErrorMetric.metricName/);
  });

  test('a rolling service with a fast error metric still passes every policy pack', () => {
    const { statelessTemplate: t } = synthReferenceApp({
      'shipshape.service': { releaseStrategy: 'rolling' },
      'shipshape.alarms': { fastErrorMetric: { namespace: 'shop', metricName: 'Errors' } },
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Period: 10 });
  });
});
