import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { INITIAL_IMAGE_VERSION } from '../../constructs/pipeline';
import { ConfigError, resolveConfig } from '../../lib/config';
import { buildReferenceApp, REFERENCE_APP_DIRECTORY } from '../../lib/reference-app';
import { SERVICE_OUTPUTS } from '../../lib/stacks';
import { synthReferenceApp } from '../helpers/reference-app';

/*
 * The release path a first `cdk deploy --all` holds: the kit's image repository (stateful), the
 * reference application built from app/ as the first image, and a pipeline that releases every
 * push of `latest` to that repository.
 */

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const resources = (t: Template, type: string) => t.findResources(type) as Resources;

/** The Image of the named container, as the template has it. */
function imageOf(t: Template, container: string): unknown {
  const definitions = Object.values(resources(t, 'AWS::ECS::TaskDefinition')).flatMap((d) => d.Properties.ContainerDefinitions as Array<{ Name: string; Image: unknown }>);
  return definitions.find((c) => c.Name === container)?.Image;
}

/** The value of the stateful stack's output named like `name`, as the stateless stack reads it (a weak reference). */
const statefulOutput = (name: string) => ({ 'Fn::GetStackOutput': Match.objectLike({ StackName: 'shipshape-stateful', OutputName: Match.stringLikeRegexp(name) }) });

describe('GIVEN no configuration beyond the shipped file WHEN the reference app synthesizes (policy packs on)', () => {
  const app = synthReferenceApp();
  const { statefulTemplate: stateful, statelessTemplate: stateless } = app;

  test('THEN the stateful stack owns the kit\'s image repository and outputs its URI; the stateless stack outputs it too', () => {
    stateful.resourceCountIs('AWS::ECR::Repository', 1);
    stateful.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'RetainExceptOnCreate' });
    stateful.hasOutput(SERVICE_OUTPUTS.imageRepository, { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
    stateless.hasOutput(SERVICE_OUTPUTS.imageRepository, { Value: { 'Fn::Join': ['', Match.arrayWith([statefulOutput('ImagesRepository')])] } });
    stateless.resourceCountIs('AWS::ECR::Repository', 0);
  });

  test('THEN a V2 pipeline releases each push of "latest" to that repository, migrating with the reference application\'s runner first', () => {
    stateless.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      Stages: [
        Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'ECR' }), Configuration: { RepositoryName: statefulOutput('ImagesRepository'), ImageTag: 'latest' } })] }),
        Match.objectLike({ Name: 'Migrate' }),
        Match.objectLike({ Name: 'Deploy' }),
      ],
    });
    stateless.hasResourceProperties('AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ Name: 'migrate', Command: ['node', 'dist/migrate.js'], User: '1000' })] });
    stateless.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ecr'], detail: Match.objectLike({ 'repository-name': [statefulOutput('ImagesRepository')], 'image-tag': ['latest'], 'action-type': ['PUSH'] }) }),
    });
    stateless.hasOutput(SERVICE_OUTPUTS.pipeline, {});
  });

  test('THEN the service and the migration run the reference application image while their version parameter is "initial", else the kit\'s repository at that version', () => {
    const asset = app.stateless.referenceAppImage;
    expect(asset).toBeDefined();
    for (const [container, parameter] of [['app', 'ImageVersion'], ['migrate', 'MigrationImageVersion']]) {
      stateless.hasParameter(parameter, { Default: INITIAL_IMAGE_VERSION });
      expect(imageOf(stateless, container)).toEqual({
        'Fn::If': [
          `${parameter}IsInitial`,
          { 'Fn::Sub': expect.stringContaining(`container-assets-\${AWS::AccountId}-\${AWS::Region}:${asset!.assetHash}`) as unknown },
          { 'Fn::Join': ['', expect.arrayContaining([{ Ref: parameter }]) as unknown] },
        ],
      });
      expect(JSON.stringify((imageOf(stateless, container) as { 'Fn::If': unknown[] })['Fn::If'][2])).toContain('PublishOutputRefImagesRepository');
    }
    expect(Object.keys(stateless.toJSON().Conditions as object).sort()).toEqual(['ImageVersionIsInitial', 'MigrationImageVersionIsInitial']);
  });

  test('THEN the image is built for the service\'s CPU architecture (arm64), honouring app/.dockerignore, at deploy time only', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(app.assemblyDirectory, `${app.stateless.artifactId}.assets.json`), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string; platform?: string } }>;
    };
    expect(Object.values(manifest.dockerImages).map((image) => image.source.platform)).toEqual(['linux/arm64']);
    stateless.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' } });
  });

  test('THEN each execution role may pull from both the CDK asset repository and the kit\'s repository', () => {
    const executionPolicies = Object.values(resources(stateless, 'AWS::IAM::Policy')).filter((policy) => /ExecutionRole/.test(JSON.stringify(policy.Properties.Roles)));
    const pullers = executionPolicies.filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes('ecr:BatchGetImage'));
    expect(pullers.length).toBeGreaterThanOrEqual(2);
    for (const policy of pullers) {
      const pulls = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: unknown; Resource: unknown }> }).Statement.filter((s) => JSON.stringify(s.Action).includes('ecr:BatchGetImage'));
      const resourcesPulled = pulls.map((s) => JSON.stringify(s.Resource));
      expect(resourcesPulled).toEqual(expect.arrayContaining([expect.stringContaining('container-assets'), expect.stringContaining('PublishOutputFnGetAttImagesRepository')]));
    }
  });

  test('THEN the service follows the reference application\'s contract: port 8080, uid 1000, its name and task ceiling in the environment, the database login', () => {
    stateless.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'app',
          User: '1000',
          PortMappings: [Match.objectLike({ ContainerPort: 8080 })],
          Environment: Match.arrayWith([{ Name: 'SHIPSHAPE_SERVICE_NAME', Value: 'shipshape' }, { Name: 'SHIPSHAPE_MAX_TASKS', Value: String(2 * resolveConfig({}).service.maxCount) }]),
          Secrets: Match.arrayWith([Match.objectLike({ Name: 'DB_PASSWORD' })]),
        }),
      ],
    });
  });

  test('THEN the load balancer checks /health/live and the blue/green smoke test calls /health/ready', () => {
    stateless.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/health/live' });
    stateless.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SMOKE_PATH: '/health/ready' }) } });
  });

  test('THEN the 10-second release-fast-errors alarm reads the reference application\'s ServerErrors metric for this app, and stops a release', () => {
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ShipshapeApp',
      MetricName: 'ServerErrors',
      Dimensions: [{ Name: 'service', Value: 'shipshape' }],
      Period: 10,
      Statistic: 'Sum',
      AlarmName: 'shipshape-stateless-release-fast-errors',
    });
    stateless.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Alarms: { AlarmNames: Match.arrayWith(['shipshape-stateless-release-fast-errors']), Enable: true, Rollback: true } }),
    });
  });
});

describe('the image version survives later deploys', () => {
  // A first deploy, then a later one with other settings: the parameter, its default and the choice it drives are the same.
  const first = synthReferenceApp().statelessTemplate;
  const later = synthReferenceApp({ 'shipshape.service': { desiredCount: 3 }, 'shipshape.tags': { team: 'payments' } }).statelessTemplate;

  test('GIVEN a later cdk deploy THEN ImageVersion keeps its name and default, so the CDK CLI passes UsePreviousValue and the service stays on the released image', () => {
    for (const t of [first, later]) {
      t.hasParameter('ImageVersion', { Default: INITIAL_IMAGE_VERSION });
      expect((imageOf(t, 'app') as { 'Fn::If': unknown[] })['Fn::If'][0]).toBe('ImageVersionIsInitial');
    }
    expect(imageOf(later, 'app')).toEqual(imageOf(first, 'app'));
  });
});

describe('other image sources', () => {
  test('GIVEN "pipeline": false with the reference application THEN the synth stops: nothing would create its schema', () => {
    expect(() => synthReferenceApp({ 'shipshape.pipeline': false })).toThrow(/shipshape\.pipeline: false leaves the reference application without its schema/);
  });

  test('GIVEN "pipeline": false with a repository of yours THEN there is no pipeline, no kit repository and no image asset', () => {
    const { statefulTemplate, statelessTemplate, stateless } = synthReferenceApp({ 'shipshape.pipeline': false, 'shipshape.service.image': '{"repository":"acme/shop","tag":"v1"}' });
    statelessTemplate.resourceCountIs('AWS::CodePipeline::Pipeline', 0);
    statefulTemplate.resourceCountIs('AWS::ECR::Repository', 0);
    expect(stateless.referenceAppImage).toBeUndefined();
    expect(Object.keys(statelessTemplate.toJSON().Outputs as object)).not.toContain(SERVICE_OUTPUTS.pipeline);
  });

  test('GIVEN an image by URI THEN the image is fixed: no repository, no pipeline, no image asset, no version parameter', () => {
    const { statefulTemplate, statelessTemplate, stateless } = synthReferenceApp({ 'shipshape.service.image': '{"uri":"public.ecr.aws/nginx/nginx-unprivileged:stable-alpine"}' });
    statefulTemplate.resourceCountIs('AWS::ECR::Repository', 0);
    statelessTemplate.resourceCountIs('AWS::CodePipeline::Pipeline', 0);
    expect(stateless.referenceAppImage).toBeUndefined();
    expect(imageOf(statelessTemplate, 'app')).toBe('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine');
    expect(Object.keys((statelessTemplate.toJSON().Parameters ?? {}) as object)).not.toContain('ImageVersion');
    expect(Object.keys(statelessTemplate.toJSON().Outputs as object)).not.toContain(SERVICE_OUTPUTS.imageRepository);
  });

  test('GIVEN a repository of your own and a pipeline THEN the pipeline watches that repository and the kit creates none', () => {
    const { statefulTemplate, statelessTemplate } = synthReferenceApp({
      'shipshape.service.image': '{"repository":"payments-api","tag":"v1.4.2"}',
      'shipshape.pipeline': { source: { kind: 'ecr', tag: 'main' } },
    });
    statefulTemplate.resourceCountIs('AWS::ECR::Repository', 0);
    statelessTemplate.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ Configuration: { RepositoryName: 'payments-api', ImageTag: 'main' } })] })]),
    });
    statelessTemplate.hasParameter('ImageVersion', { Default: ':v1.4.2' });
    expect(JSON.stringify(imageOf(statelessTemplate, 'app'))).not.toContain('Fn::If');
    statelessTemplate.hasOutput(SERVICE_OUTPUTS.imageRepository, { Value: { 'Fn::Join': ['', Match.arrayWith(['/payments-api'])] } });
  });

  test('GIVEN the kit\'s repository watching another tag THEN the repository lets that tag move, and only it', () => {
    const { statefulTemplate } = synthReferenceApp({ 'shipshape.pipeline': { source: { kind: 'ecr', tag: 'main' } } });
    statefulTemplate.hasResourceProperties('AWS::ECR::Repository', { ImageTagMutabilityExclusionFilters: [Match.objectLike({ ImageTagMutabilityExclusionFilterValue: 'main' })] });
  });
});

describe('building the reference application', () => {
  test('GIVEN no Docker on the machine WHEN the reference app synthesizes THEN synth still works: the image is built at deploy time', () => {
    const docker = process.env.CDK_DOCKER;
    process.env.CDK_DOCKER = '/nonexistent/docker';
    try {
      expect(synthReferenceApp().stateless.referenceAppImage).toBeDefined();
    } finally {
      if (docker === undefined) delete process.env.CDK_DOCKER;
      else process.env.CDK_DOCKER = docker;
    }
  });

  test('GIVEN no service.image and no reference application (the installed package) WHEN it synthesizes THEN a configuration error says to set service.image', () => {
    const config = resolveConfig({ alarms: { webhookSecrets: ['x'] } });
    expect(() => buildReferenceApp(new App(), config, { referenceAppDirectory: '/nonexistent' })).toThrow(ConfigError);
    expect(() => buildReferenceApp(new App(), config, { referenceAppDirectory: path.join(REFERENCE_APP_DIRECTORY, 'missing') })).toThrow(
      /shipshape\.service\.image: not set, so the service's first image is the reference application.*has no Dockerfile.*Set service\.image to your image/,
    );
  });

  test('the reference application is app/ of the repository', () => {
    expect(REFERENCE_APP_DIRECTORY).toBe(path.resolve(__dirname, '../../app'));
  });
});
