import { type App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as patterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as rds from 'aws-cdk-lib/aws-rds';

/**
 * The plain CDK pattern shipshape is measured against: aws-ecs-patterns' load-balanced Fargate
 * service on a default VPC (two NAT gateways, one task) and a default RDS PostgreSQL instance.
 */
export function buildPlainApp(app: App): Stack {
  const stack = new Stack(app, 'plain-pattern');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  new patterns.ApplicationLoadBalancedFargateService(stack, 'Service', {
    vpc,
    taskImageOptions: { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx-unprivileged:stable-alpine'), containerPort: 8080 },
  });
  new rds.DatabaseInstance(stack, 'Database', {
    vpc,
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
  });
  return stack;
}
