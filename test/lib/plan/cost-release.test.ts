import { buildPlan, type CfnTemplate, DEFAULT_ASSUMPTIONS, estimateStack, PRICES, unpricedResourceTypes } from '../../../lib/plan';
import { prometheusRules, prometheusSeconds } from '../../../lib/plan/cost-prometheus';

const prices = PRICES['us-east-1'];
const linesOf = (template: CfnTemplate) => estimateStack(template, prices, DEFAULT_ASSUMPTIONS);
const line = (template: CfnTemplate, item: string) => linesOf(template).find((l) => l.item === item);

/** What ImageRepository synthesizes: scan on push, the AWS managed key, a lifecycle policy. */
const repository = {
  Type: 'AWS::ECR::Repository',
  Properties: {
    ImageScanningConfiguration: { ScanOnPush: true },
    EncryptionConfiguration: { EncryptionType: 'KMS' },
    LifecyclePolicy: {
      LifecyclePolicyText: JSON.stringify({
        rules: [
          { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['release-'], countType: 'imageCountMoreThan', countNumber: 30 }, action: { type: 'expire' } },
          { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
          { rulePriority: 3, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 }, action: { type: 'expire' } },
        ],
      }),
    },
  },
};

/** A V2 pipeline as ReleasePipeline synthesizes it: ECR source, a Lambda release step per stage, an approval, a KMS-encrypted artifact bucket. */
function pipelineTemplate(type: 'V1' | 'V2' = 'V2'): CfnTemplate {
  const action = (Category: string, Owner: string, Provider: string) => ({ Name: Provider, ActionTypeId: { Category, Owner, Provider, Version: '1' } });
  return {
    Resources: {
      Repository: repository,
      Key: { Type: 'AWS::KMS::Key' },
      Artifacts: { Type: 'AWS::S3::Bucket' },
      AccessLogs: { Type: 'AWS::S3::Bucket' },
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          PipelineType: type,
          ArtifactStore: { Type: 'S3', Location: { Ref: 'Artifacts' }, EncryptionKey: { Id: { 'Fn::GetAtt': ['Key', 'Arn'] }, Type: 'KMS' } },
          Stages: [
            { Name: 'Source', Actions: [action('Source', 'AWS', 'ECR')] },
            { Name: 'Approve', Actions: [action('Approval', 'AWS', 'Manual')] },
            { Name: 'Migrate', Actions: [action('Invoke', 'AWS', 'Lambda')] },
            { Name: 'Deploy', Actions: [action('Invoke', 'AWS', 'Lambda')] },
          ],
        },
      },
      Provider: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
      Guard: { Type: 'AWS::CloudFormation::CustomResource', Properties: { ServiceToken: { 'Fn::GetAtt': ['Provider', 'Arn'] } } },
    },
  };
}

describe('the image repository the kit creates has its own line', () => {
  test('GIVEN ImageRepository WHEN estimated THEN its images are priced at the ECR rate with what the lifecycle keeps, free basic scanning and the AWS managed key', () => {
    expect(line(pipelineTemplate(), 'ECR repository (release images)')).toEqual({
      item: 'ECR repository (release images)',
      monthlyUsd: 2 * 0.1,
      basis:
        'Repository: 2 GB of images at $0.1/GB-month; lifecycle keeps 30 newest release- tagged, untagged for 14 d, 100 newest any; basic scan on push (free); encrypted with the AWS managed key aws/ecr (no key charge)',
      resourceTypes: ['AWS::ECR::Repository'],
    });
  });

  test('a repository with its own key and no lifecycle policy says so', () => {
    const template: CfnTemplate = { Resources: { Repo: { Type: 'AWS::ECR::Repository', Properties: { EncryptionConfiguration: { EncryptionType: 'KMS', KmsKey: { Ref: 'Key' } } } } } };
    expect(line(template, 'ECR repository (release images)')?.basis).toBe(
      'Repo: 2 GB of images at $0.1/GB-month; no lifecycle policy: every image is kept; no scan on push; encrypted with its customer-managed key (priced with the KMS keys)',
    );
  });

  test("an image asset is priced as storage in the CDK bootstrap's container-assets repository, once per image", () => {
    const asset = { 'Fn::Sub': '${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/cdk-hnb659fds-container-assets-${AWS::AccountId}-${AWS::Region}:' + 'ab'.repeat(32) };
    const template: CfnTemplate = {
      Resources: {
        Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Image: asset }] } },
        Migration: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Image: asset }] } },
      },
    };
    expect(line(template, 'CDK asset images (bootstrap repository)')).toMatchObject({
      monthlyUsd: 0.1,
      basis: "1 image assets in the bootstrap's container-assets repository: 1 GB kept (every pushed image stays until `cdk gc`) at $0.1/GB-month",
    });
  });

  test('an image from a repository the kit does not create costs nothing in the estimate', () => {
    const template: CfnTemplate = { Resources: { Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ Image: 'public.ecr.aws/nginx/nginx:1' }] } } } };
    expect(linesOf(template).map((l) => l.item)).not.toContain('CDK asset images (bootstrap repository)');
  });
});

describe('the release pipeline has its own lines', () => {
  test('GIVEN a V2 pipeline WHEN estimated THEN releases x action minutes at $0.002, naming the billed actions (not the approval)', () => {
    expect(line(pipelineTemplate(), 'Release pipeline (CodePipeline V2)')).toEqual({
      item: 'Release pipeline (CodePipeline V2)',
      monthlyUsd: 20 * 30 * 0.002,
      basis: 'Pipeline: 20 releases x 30 action minutes at $0.002/min (3 billed actions a release: Source/ECR, Invoke/Lambda, Invoke/Lambda; manual approvals are free)',
      resourceTypes: ['AWS::CodePipeline::Pipeline'],
      metered: { codePipelineV2ActionMinutes: { units: 600, usd: 1.2 } },
    });
  });

  test('a V1 pipeline is $1 a month', () => {
    expect(line(pipelineTemplate('V1'), 'Release pipeline (CodePipeline V1)')?.monthlyUsd).toBe(1);
  });

  test('the artifact bucket is priced on its own line and left out of the other buckets', () => {
    const lines = linesOf(pipelineTemplate());
    expect(lines.find((l) => l.item === 'Release pipeline artifacts (S3)')).toMatchObject({ monthlyUsd: Math.round((0.023 + 20 * 0.005) * 100) / 100, basis: expect.stringMatching(/^Artifacts: 1 GB \+ 20000 PUTs/) as unknown });
    expect(lines.find((l) => l.item === 'S3 storage and requests')?.basis).toBe('1 buckets x (1 GB + 20000 PUTs)');
  });

  test('the 100 free action minutes are shown beside the total and not subtracted from it', () => {
    const report = buildPlan({ stacks: [{ name: 'app', template: pipelineTemplate() }], openFindings: [], region: 'us-east-1' });
    expect(report.total.freeTier.credits.find((c) => c.allowance === 'codePipelineV2ActionMinutes')).toEqual({
      allowance: 'codePipelineV2ActionMinutes',
      monthlyUsd: 0.2,
      basis: '100 of 600 CodePipeline V2 action minutes (100 free a month)',
    });
    expect(report.total.monthlyUsd).toBeCloseTo(report.stacks[0].cost.lines.reduce((sum, l) => sum + l.monthlyUsd, 0), 2);
  });

  test("a custom resource is free: its provider Lambda's invocations are priced with the Lambdas", () => {
    const template = pipelineTemplate();
    expect(unpricedResourceTypes(template, linesOf(template))).toEqual([]);
  });
});

/** An ADOT sidecar scraping every 15 s, a workspace keeping 30 days, two rule groups. */
function prometheusTemplate(scrape = 'scrape_interval: 15s'): CfnTemplate {
  return {
    Resources: {
      Task: {
        Type: 'AWS::ECS::TaskDefinition',
        Properties: {
          Cpu: '512',
          Memory: '1024',
          ContainerDefinitions: [
            { Name: 'app', Image: 'app:1' },
            { Name: 'adot', Image: 'public.ecr.aws/aws-observability/aws-otel-collector:v0.43.0', Environment: [{ Name: 'AOT_CONFIG_CONTENT', Value: `receivers:\n  prometheus:\n    config:\n      global:\n        ${scrape}\n` }] },
          ],
        },
      },
      Service: { Type: 'AWS::ECS::Service', Properties: { DesiredCount: 2, TaskDefinition: { Ref: 'Task' } } },
      Workspace: { Type: 'AWS::APS::Workspace', Properties: { AlertManagerDefinition: 'alertmanager_config: ...', WorkspaceConfiguration: { RetentionPeriodInDays: 30 } } },
      Rules: {
        Type: 'AWS::APS::RuleGroupsNamespace',
        Properties: {
          Workspace: { Ref: 'Workspace' },
          Data: 'groups:\n  - name: fast\n    interval: 30s\n    rules:\n      - alert: HighErrorRate\n        expr: x > 1\n      - record: job:errors:rate5m\n        expr: y\n  - name: slow\n    rules:\n      - alert: Saturation\n        expr: z > 1\n',
        },
      },
    },
  };
}

describe('Amazon Managed Service for Prometheus is priced only where a workspace is', () => {
  test('a template without a workspace has no Prometheus line', () => {
    const template = prometheusTemplate();
    delete (template.Resources as Record<string, unknown>).Workspace;
    delete (template.Resources as Record<string, unknown>).Rules;
    expect(linesOf(template).filter((l) => l.item.startsWith('Managed Prometheus'))).toEqual([]);
  });

  test("ingestion: 2 tasks x 550 series x 4 scrapes a minute (the collector's 15 s) x 730 h, at $0.90 per 10 million", () => {
    const samples = 2 * 550 * 4 * 60 * 730;
    expect(line(prometheusTemplate(), 'Managed Prometheus ingestion')).toMatchObject({
      monthlyUsd: Math.round((samples / 1e7) * 0.9 * 100) / 100,
      basis: expect.stringMatching(/^Workspace: 2 tasks x 550 series x 4 scrapes a minute \(every 15 s, the collector's scrape_interval\) = 4400 samples a minute, 192\.7 million a month/) as unknown,
      resourceTypes: ['AWS::APS::Workspace'],
    });
  });

  test('without a scrape interval in the template, the assumed one minute is used and said', () => {
    expect(line(prometheusTemplate('evaluation_interval: 1m'), 'Managed Prometheus ingestion')?.basis).toMatch(/x 1 scrapes a minute \(every 60 s, assumed\)/);
  });

  test("storage: 2 bytes a sample over the workspace's 30-day retention", () => {
    const gb = (2 * 550 * 4 * 60 * 730 * 2 * (30 / 30.42)) / 2 ** 30;
    expect(line(prometheusTemplate(), 'Managed Prometheus storage')).toMatchObject({ monthlyUsd: Math.round(gb * 0.03 * 100) / 100, basis: `${gb.toFixed(2)} GB kept at steady state: 2 bytes a sample x 30 days of retention` });
  });

  test('rule evaluations: each rule at its group interval (30 s, else 1 min) x 5,000 samples, at $0.10 per billion', () => {
    const evaluations = 2 * (730 * 3600) / 30 + (730 * 3600) / 60;
    expect(line(prometheusTemplate(), 'Managed Prometheus rule evaluations')).toMatchObject({
      monthlyUsd: Math.round(((evaluations * 5000) / 1e9) * 0.1 * 100) / 100,
      basis: `3 rules in 1 namespaces, ${evaluations} evaluations x 5000 samples processed (dashboard and API queries come on top)`,
    });
    expect(prometheusRules(prometheusTemplate().Resources.Rules).map((r) => r.intervalSeconds)).toEqual([30, 30, 60]);
  });

  test('every Prometheus resource type is priced', () => {
    const template = prometheusTemplate();
    expect(unpricedResourceTypes(template, linesOf(template))).toEqual([]);
  });

  test.each([
    ['15s', 15],
    ['1m', 60],
    ['500ms', 0.5],
    ['2h', 7200],
    ['soon', undefined],
  ])('the Prometheus duration %s is %s seconds', (text, seconds) => {
    expect(prometheusSeconds(text)).toBe(seconds);
  });
});
