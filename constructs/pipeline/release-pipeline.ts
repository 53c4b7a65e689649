import { type CfnElement, CfnParameter, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import * as path from 'node:path';
import { allowLogsToUseKey, encryptedBucket, encryptedLogGroup, rotatingKey } from '../private/encryption';
import { shipshapeFunction } from '../private/node-function';
import { topicRuleTarget } from '../private/topic-publishers';
import { IMAGE_VERSION_PATTERN, VersionedEcrImage } from './image-version';
import { acknowledgePipelineFindings } from './pipeline-acknowledgments';
import { deployRole } from './deploy-role';
import { FirstMigration } from './first-migration';
import type { GitReleaseSource, MigrationOptions, ReleasePipelineProps } from './release-pipeline-props';
import type { RedundantService as RedundantServiceRef } from '../service/redundant-service';
import type { ReleaseTarget } from './runtime/release-job';

/** The container name of the migration task. */
export const MIGRATION_CONTAINER_NAME = 'migrate';
/** The awslogs stream prefix of the migration container: its streams are `migrate/migrate/<task id>`. */
const MIGRATION_LOG_STREAM_PREFIX = 'migrate';

/**
 * A CodePipeline (V2) that releases images to a `RedundantService` through CloudFormation: source
 * (an ECR push, or Git built and tested by CodeBuild), optional approval, an optional database
 * migration task, then a stack update that changes only the image version parameter. The stack
 * stays the source of truth: every release, rollback and later `cdk deploy` leaves CloudFormation
 * describing what runs.
 */
export class ReleasePipeline extends Construct {
  public readonly pipeline: codepipeline.Pipeline;
  public readonly artifactBucket: s3.Bucket;
  /** Runs each release step (stack update, migration) as a CodePipeline action. */
  public readonly releaseFunction: ReturnType<typeof shipshapeFunction>;
  /** The role CloudFormation uses for release updates: only what an image change touches. */
  public readonly deployRole: iam.Role;
  public readonly migrationTaskDefinition?: ecs.FargateTaskDefinition;
  /** The migration task's security group: allow it to the database. */
  public readonly migrationSecurityGroup?: ec2.SecurityGroup;
  /** The stack parameter the migration image version comes from. */
  public readonly migrationImageVersion?: CfnParameter;
  /** Runs the migration when the stack is created, before the service (`migration.runOnFirstDeploy`). */
  public readonly firstMigration?: FirstMigration;
  /** The CodeBuild project of a Git source. */
  public readonly buildProject?: codebuild.PipelineProject;
  /** Encrypts the artifacts and the pipeline's logs: `encryptionKey` of the props, else a key of its own. */
  public readonly encryptionKey: kms.IKey;
  /** The service released. */
  public readonly service: RedundantServiceRef;

  constructor(scope: Construct, id: string, props: ReleasePipelineProps) {
    super(scope, id);
    Tags.of(this).add('shipshape:component', 'pipeline');
    const stack = Stack.of(this);
    this.service = props.service;
    const deployTimeout = props.deployTimeout ?? Duration.minutes(50);
    const bake = props.service.bakeTime?.toMinutes() ?? 0;
    if (!Token.isUnresolved(deployTimeout.toMinutes()) && deployTimeout.toMinutes() < bake + 15) {
      throw new Error(`ReleasePipeline: deployTimeout (${deployTimeout.toMinutes()} min) must leave 15 minutes beyond the service's bake (${bake} min); set it to at least ${bake + 15} minutes`);
    }
    const key = props.encryptionKey ?? rotatingKey(this, 'Key', 'shipshape release pipeline artifacts and logs');
    // A key given here already admits CloudWatch Logs (see encryptionKey).
    if (!props.encryptionKey) allowLogsToUseKey(key);
    this.encryptionKey = key;
    this.artifactBucket = encryptedBucket(this, 'Artifacts', key, Duration.days(30), Duration.days(1));

    if (props.migration) {
      const migration = this.createMigrationTask(props, props.migration, key);
      this.migrationTaskDefinition = migration.task;
      this.migrationSecurityGroup = migration.securityGroup;
      this.migrationImageVersion = migration.version;
      if (props.migration.runOnFirstDeploy ?? true) {
        this.firstMigration = new FirstMigration(this, 'FirstMigration', {
          cluster: props.service.cluster,
          taskDefinition: migration.task,
          containerName: MIGRATION_CONTAINER_NAME,
          subnets: props.migrationSubnets ?? props.service.taskSubnets,
          securityGroup: migration.securityGroup,
          logGroup: migration.logGroup,
          logStreamPrefix: MIGRATION_LOG_STREAM_PREFIX,
          timeout: props.migration.timeout ?? Duration.minutes(30),
          key,
        });
        // No task of the stack's first image takes traffic before its schema exists.
        props.service.service.node.addDependency(this.firstMigration.resource);
      }
    }
    this.deployRole = deployRole(this, props, this.migrationTaskDefinition);

    const migrationTarget = this.migrationTaskDefinition && {
      cluster: props.service.cluster.clusterArn,
      taskDefinitionLogicalId: stack.getLogicalId(this.migrationTaskDefinition.node.defaultChild as CfnElement),
      subnets: props.service.cluster.vpc.selectSubnets(props.migrationSubnets ?? props.service.taskSubnets).subnetIds,
      securityGroups: [(this.migrationSecurityGroup as ec2.SecurityGroup).securityGroupId],
      containerName: MIGRATION_CONTAINER_NAME,
      timeoutMinutes: (props.migration?.timeout ?? Duration.minutes(30)).toMinutes(),
    };
    const target: ReleaseTarget = {
      stackName: stack.stackName,
      repositoryName: props.repository.repositoryName,
      cloudFormationRoleArn: this.deployRole.roleArn,
      parameters: { deploy: props.imageVersion.logicalId, migrate: this.migrationImageVersion?.logicalId ?? '' },
      updateTimeoutMinutes: deployTimeout.toMinutes(),
      migration: migrationTarget,
    };
    this.releaseFunction = shipshapeFunction(this, 'ReleaseStep', {
      entry: path.join(__dirname, 'runtime', 'release-job.lambda.ts'),
      description: 'shipshape release step: update the image version through CloudFormation, run the migration',
      key,
      logRetention: logs.RetentionDays.ONE_YEAR,
      environment: { RELEASE_TARGET: stack.toJsonString(target) },
    });
    this.grantReleaseStep(props, stack);

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      artifactBucket: this.artifactBucket,
      restartExecutionOnUpdate: false,
    });
    const source = this.addSource(props, key);
    const version = source.version;
    this.buildProject = source.buildProject;
    if (props.manualApproval) {
      this.pipeline.addStage({ stageName: 'Approve', actions: [new actions.ManualApprovalAction({ actionName: 'Approve', notificationTopic: props.topic })] });
    }
    if (this.migrationTaskDefinition) {
      this.pipeline.addStage({ stageName: 'Migrate', actions: [this.releaseAction('Migrate', 'migrate', version)] });
    }
    this.pipeline.addStage({ stageName: 'Deploy', actions: [this.releaseAction('Deploy', 'deploy', version)] });

    if (props.topic) {
      this.pipeline.onStateChange('Failed', {
        description: 'A release failed or was stopped',
        eventPattern: { detail: { state: ['FAILED', 'STOPPED'] } },
        target: topicRuleTarget(props.topic),
      });
    }
    acknowledgePipelineFindings(this);
  }

  private releaseAction(actionName: string, kind: 'migrate' | 'deploy', version: string): actions.LambdaInvokeAction {
    // The execution id names the release tag the deploy step puts on the image (runtime/release-tags.ts).
    const executionId = codepipeline.GlobalVariables.executionId;
    return new actions.LambdaInvokeAction({ actionName, lambda: this.releaseFunction, userParameters: { kind, version, executionId } });
  }

  /** The source stage (and, for Git, the build); returns the image version the release deploys. */
  private addSource(props: ReleasePipelineProps, key: kms.IKey): { version: string; buildProject?: codebuild.PipelineProject } {
    const sourceOutput = new codepipeline.Artifact('Source');
    if (props.source.kind === 'ecr') {
      const source = new actions.EcrSourceAction({
        actionName: 'Image',
        repository: props.repository,
        imageTag: props.source.tag ?? 'latest',
        output: sourceOutput,
        variablesNamespace: 'Source',
      });
      this.pipeline.addStage({ stageName: 'Source', actions: [source] });
      return { version: `@${source.variables.imageDigest}` };
    }
    const [owner, repo] = props.source.repository.split('/');
    if (!owner || !repo) throw new Error(`ReleasePipeline: source.repository must be "owner/name" (got ${props.source.repository})`);
    this.pipeline.addStage({
      stageName: 'Source',
      actions: [
        new actions.CodeStarConnectionsSourceAction({
          actionName: 'Git',
          connectionArn: props.source.connectionArn,
          owner,
          repo,
          branch: props.source.branch ?? 'main',
          output: sourceOutput,
        }),
      ],
    });
    const buildProject = this.createBuildProject(props, props.source, key);
    const build = new actions.CodeBuildAction({
      actionName: 'TestAndBuild',
      project: buildProject,
      input: sourceOutput,
      variablesNamespace: 'Build',
    });
    this.pipeline.addStage({ stageName: 'Build', actions: [build] });
    return { version: build.variable('IMAGE_VERSION'), buildProject };
  }

  private createBuildProject(props: ReleasePipelineProps, source: GitReleaseSource, key: kms.IKey): codebuild.PipelineProject {
    const repositoryUri = props.repository.repositoryUri;
    const project = new codebuild.PipelineProject(this, 'Build', {
      description: 'Runs the tests, builds the image, pushes it tagged with the commit',
      encryptionKey: key,
      // The image runs on the service's architecture: an ARM64 service is built on an ARM build image
      // (https://docs.aws.amazon.com/codebuild/latest/userguide/ec2-compute-images.html).
      environment: {
        buildImage: props.service.taskDefinition.runtimePlatform?.cpuArchitecture === ecs.CpuArchitecture.ARM64 ? codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0 : codebuild.LinuxBuildImage.STANDARD_7_0,
        privileged: true,
        computeType: codebuild.ComputeType.SMALL,
      },
      environmentVariables: {
        REPOSITORY_URI: { value: repositoryUri },
        REPOSITORY_NAME: { value: props.repository.repositoryName },
      },
      logging: { cloudWatch: { logGroup: encryptedLogGroup(this, 'BuildLogs', { key, retention: logs.RetentionDays.ONE_YEAR }) } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': ['IMAGE_VERSION'] },
        phases: {
          pre_build: { commands: ['TAG=${CODEBUILD_RESOLVED_SOURCE_VERSION}', 'aws ecr get-login-password | docker login --username AWS --password-stdin ${REPOSITORY_URI%%/*}'] },
          build: {
            commands: [
              ...(source.testCommands ?? ['npm ci', 'npm test']),
              // Commit tags are immutable in the kit's repository: a commit built before is released as it was pushed.
              'if aws ecr describe-images --repository-name ${REPOSITORY_NAME} --image-ids imageTag=${TAG} >/dev/null 2>&1; then echo "${TAG} is already in the repository: releasing it as pushed"; else docker build -t ${REPOSITORY_URI}:${TAG} . && docker push ${REPOSITORY_URI}:${TAG}; fi',
            ],
          },
          post_build: {
            commands: [
              'DIGEST=$(aws ecr describe-images --repository-name ${REPOSITORY_NAME} --image-ids imageTag=${TAG} --query "imageDetails[0].imageDigest" --output text)',
              'export IMAGE_VERSION="@${DIGEST}"',
            ],
          },
        },
      }),
    });
    props.repository.grantPullPush(project);
    props.repository.grant(project, 'ecr:DescribeImages');
    return project;
  }

  private createMigrationTask(props: ReleasePipelineProps, migration: MigrationOptions, key: kms.IKey) {
    const version =
      migration.imageVersion ??
      new CfnParameter(this, 'MigrationImageVersion', {
        type: 'String',
        default: props.imageVersion.default as string,
        allowedPattern: IMAGE_VERSION_PATTERN,
        description: 'The image version the migration task runs (set by the release pipeline)',
      });
    // The application's image is built for the service's architecture; Fargate defaults to X86_64.
    const task = new ecs.FargateTaskDefinition(this, 'MigrationTask', {
      cpu: 512,
      memoryLimitMiB: 1024,
      runtimePlatform: migration.runtimePlatform ?? props.service.taskDefinition.runtimePlatform,
      volumes: [{ name: 'tmp' }],
    });
    const logGroup = encryptedLogGroup(this, 'MigrationLogs', { key, retention: logs.RetentionDays.ONE_YEAR });
    const container = task.addContainer(MIGRATION_CONTAINER_NAME, {
      containerName: MIGRATION_CONTAINER_NAME,
      image: new VersionedEcrImage(props.repository, version.valueAsString, { initialImage: migration.initialImage }),
      command: migration.command,
      environment: migration.environment,
      secrets: migration.secrets,
      readonlyRootFilesystem: true,
      user: migration.user ?? '1000',
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: MIGRATION_LOG_STREAM_PREFIX, logGroup }),
    });
    container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    const securityGroup = new ec2.SecurityGroup(this, 'MigrationSecurityGroup', {
      vpc: props.service.cluster.vpc,
      description: 'The database migration task of the release pipeline',
    });
    return { task, securityGroup, version, logGroup };
  }

  /** What the release step may do: update this stack with the deploy role, run and watch the migration. */
  private grantReleaseStep(props: ReleasePipelineProps, stack: Stack): void {
    const fn = this.releaseFunction;
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudformation:DescribeStacks', 'cloudformation:UpdateStack', 'cloudformation:CancelUpdateStack', 'cloudformation:DescribeStackResource'], resources: [stackArn] }));
    this.deployRole.grantPassRole(fn.grantPrincipal);
    // The deploy step tags the image it releases: find it, read its manifest, put it again with the release tag.
    props.repository.grant(fn, 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage');
    const task = this.migrationTaskDefinition;
    if (task) {
      const cluster = { ArnEquals: { 'ecs:cluster': props.service.cluster.clusterArn } };
      const family = stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${task.family}:*` });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [family], conditions: cluster }));
      const tasks = stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.service.cluster.clusterName}/*` });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: [tasks], conditions: cluster }));
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [task.taskRole.roleArn, task.obtainExecutionRole().roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        }),
      );
    }
    // CodePipeline job results have no resource-level permissions.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codepipeline:PutJobSuccessResult', 'codepipeline:PutJobFailureResult'], resources: ['*'] }));
  }
}
