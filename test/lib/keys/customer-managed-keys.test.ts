import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { synthReferenceApp } from '../../helpers/reference-app';

/**
 * The key policies of the keys that survive the merge (docs/cost.md, "Fewer customer-managed
 * keys"), as the reference app synthesized them before: the flow logs and the pipeline now share
 * a key, and no key policy changed, so no principal reaches anything it did not.
 */
const POLICIES_BEFORE = JSON.parse(fs.readFileSync(path.join(__dirname, 'key-policies-before-merge.json'), 'utf8')) as Record<string, unknown>;

const KEYS = {
  stateful: ['DatabaseBackupKey1E6B06ED', 'DatabaseKey5E5D9547', 'RetryableCreateKeyF2AF8711'],
  stateless: ['AlarmsNotificationsKeyA999AB18', 'ServiceLogKey4EF2FA13'],
};

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe.each(['production', 'budget'] as const)('GIVEN the reference app, %s profile', (profile) => {
  const app = synthReferenceApp({ 'shipshape.profile': profile });
  const templates = { stateful: app.statefulTemplate, stateless: app.statelessTemplate };

  test('THEN the stateful stack has 3 customer-managed keys and the stateless stack 2, with their logical ids kept', () => {
    app.statefulTemplate.resourceCountIs('AWS::KMS::Key', 3);
    app.statelessTemplate.resourceCountIs('AWS::KMS::Key', 2);
    for (const [stack, ids] of Object.entries(KEYS)) expect(Object.keys(templates[stack as keyof typeof templates].findResources('AWS::KMS::Key')).sort()).toEqual(ids);
  });

  test("THEN every surviving key's policy is the one it had before the merge", () => {
    for (const [stack, ids] of Object.entries(KEYS)) {
      const keys = templates[stack as keyof typeof templates].findResources('AWS::KMS::Key') as Record<string, { Properties: { KeyPolicy: unknown } }>;
      for (const id of ids) expect({ id, policy: keys[id].Properties.KeyPolicy }).toEqual({ id, policy: POLICIES_BEFORE[id] });
    }
  });

  test("THEN the VPC flow log group is encrypted with RetryableCreate's key, which admits CloudWatch Logs of this account", () => {
    const groups = app.statefulTemplate.findResources('AWS::Logs::LogGroup') as Record<string, { Properties: Record<string, unknown> }>;
    const [flowLogs] = Object.entries(groups).filter(([id]) => id.startsWith('NetworkFlowLogGroup'));
    expect(flowLogs[1].Properties).toMatchObject({ RetentionInDays: profile === 'production' ? 365 : 30, KmsKeyId: arnOf('RetryableCreateKeyF2AF8711') });
    expect(Object.keys(app.statefulTemplate.findResources('AWS::Logs::LogGroup', { Properties: { KmsKeyId: arnOf('RetryableCreateKeyF2AF8711') } })).sort()).toEqual([
      expect.stringMatching(/^NetworkFlowLogGroup/),
      expect.stringMatching(/^RetryableCreateLogs/),
    ]);
    app.statefulTemplate.hasResourceProperties('AWS::KMS::Key', {
      Description: 'shipshape stateful stack: logs (termination protection release, VPC flow logs)',
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchLogsOfThisAccount' })]) },
    });
  });

  test("THEN the pipeline's artifact store, artifact bucket and logs are encrypted with the service's key", () => {
    const serviceKey = 'ServiceLogKey4EF2FA13';
    app.statelessTemplate.hasResourceProperties('AWS::CodePipeline::Pipeline', { ArtifactStore: { EncryptionKey: { Id: arnOf(serviceKey), Type: 'KMS' } } });
    app.statelessTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(serviceKey) } })] },
    });
    const pipelineLogs = app.statelessTemplate.findResources('AWS::Logs::LogGroup', { Properties: { KmsKeyId: arnOf(serviceKey) } });
    expect(Object.keys(pipelineLogs)).toEqual(expect.arrayContaining([expect.stringMatching(/^ReleaseReleaseStepLogs/), expect.stringMatching(/^ReleaseMigrationLogs/)]));
  });
});
