import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ImageRepository } from '../../../constructs/pipeline';
import { RELEASE_TAG_PREFIX, releaseTag } from '../../../constructs/pipeline/runtime/release-tags';

interface LifecycleRule {
  rulePriority: number;
  selection: { tagStatus: string; tagPrefixList?: string[]; countType: string; countNumber: number; countUnit?: string };
  action: { type: string };
}

function synth(props: ConstructorParameters<typeof ImageRepository>[2] = {}) {
  const stack = new Stack();
  const images = new ImageRepository(stack, 'Images', props);
  return { stack, images, template: Template.fromStack(stack) };
}

function lifecycleRules(template: Template): LifecycleRule[] {
  const [repository] = Object.values(template.findResources('AWS::ECR::Repository')) as Array<{ Properties: { LifecyclePolicy: { LifecyclePolicyText: string } } }>;
  return (JSON.parse(repository.Properties.LifecyclePolicy.LifecyclePolicyText) as { rules: LifecycleRule[] }).rules;
}

describe('GIVEN an ImageRepository with its defaults', () => {
  const { template } = synth();

  test('THEN images are KMS-encrypted with the AWS managed key (no key of our own) and scanned on push', () => {
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::ECR::Repository', {
      EncryptionConfiguration: { EncryptionType: 'KMS' },
      ImageScanningConfiguration: { ScanOnPush: true },
    });
    const [repository] = Object.values(template.findResources('AWS::ECR::Repository')) as Array<{ Properties: Record<string, unknown> }>;
    expect(repository.Properties.EncryptionConfiguration).not.toHaveProperty('KmsKey');
  });

  test('THEN every tag is immutable except the watched one, latest', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [{ ImageTagMutabilityExclusionFilterType: 'WILDCARD', ImageTagMutabilityExclusionFilterValue: 'latest' }],
    });
  });

  test('THEN it has no fixed name and is kept on delete but not on a failed create', () => {
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::ECR::Repository', { RepositoryName: Match.absent() });
  });

  test('THEN the lifecycle policy keeps the 100 newest released images first, expires untagged ones after 14 days, then any image beyond 100', () => {
    expect(lifecycleRules(template)).toEqual([
      {
        rulePriority: 1,
        description: expect.stringMatching(/released images/) as unknown,
        selection: { tagStatus: 'tagged', tagPrefixList: [RELEASE_TAG_PREFIX], countType: 'imageCountMoreThan', countNumber: 100 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: expect.stringMatching(/untagged/) as unknown,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
        action: { type: 'expire' },
      },
      {
        rulePriority: 3,
        description: expect.stringMatching(/at most 100/) as unknown,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 },
        action: { type: 'expire' },
      },
    ]);
  });

  test('THEN the tag a release puts on its image is selected by the highest-priority rule, and tagStatus any is the lowest priority', () => {
    const rules = lifecycleRules(template);
    const first = [...rules].sort((a, b) => a.rulePriority - b.rulePriority)[0];
    expect(first.selection.tagPrefixList?.some((prefix) => releaseTag('3f2c9a7e-0b1d-4e5f-8a9b-1c2d3e4f5a6b').startsWith(prefix))).toBe(true);
    const any = rules.filter((rule) => rule.selection.tagStatus === 'any');
    expect(any).toHaveLength(1);
    expect(any[0].rulePriority).toBe(Math.max(...rules.map((rule) => rule.rulePriority)));
  });
});

test('GIVEN a customer managed key and other counts WHEN it synthesizes THEN the repository uses that key and those counts', () => {
  const stack = new Stack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  new ImageRepository(stack, 'Images', { encryptionKey: key, releasedImagesToKeep: 10, untaggedImageAge: Duration.days(3), imagesToKeep: 40, watchedTag: 'main' });
  const template = Template.fromStack(stack);
  template.hasResourceProperties('AWS::ECR::Repository', {
    EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
    ImageTagMutabilityExclusionFilters: [Match.objectLike({ ImageTagMutabilityExclusionFilterValue: 'main' })],
  });
  expect(lifecycleRules(template).map((rule) => rule.selection.countNumber)).toEqual([10, 3, 40]);
});

test('GIVEN a role WHEN it is granted pull and push THEN it gets the image actions on this repository only', () => {
  const stack = new Stack();
  const images = new ImageRepository(stack, 'Images');
  const puller = new iam.Role(stack, 'Puller', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  const pusher = new iam.Role(stack, 'Pusher', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  images.grantPull(puller);
  images.grantPush(pusher);
  const template = Template.fromStack(stack);
  const repositoryArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ImagesRepository'), 'Arn'] };
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^Puller') }],
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Resource: repositoryArn })]) },
  });
  template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: Match.stringLikeRegexp('^Pusher') }],
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ecr:UploadLayerPart', 'ecr:PutImage']), Resource: repositoryArn })]) },
  });
});

describe('bad input is refused at synth, naming the prop', () => {
  test.each([
    [{ watchedTag: 'lat*' }, /watchedTag must be an image tag/],
    [{ watchedTag: 'release-1' }, /watchedTag may not start with "release-"/],
    [{ releasedImagesToKeep: 0 }, /releasedImagesToKeep must be a whole number of images, at least 1 \(got 0\)/],
    [{ imagesToKeep: 2.5 }, /imagesToKeep must be a whole number/],
    [{ untaggedImageAge: Duration.hours(0) }, /untaggedImageAge must be at least 1 day/],
  ])('%j', (props, error) => {
    expect(() => synth(props)).toThrow(error);
  });
});
