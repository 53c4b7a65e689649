import { Aws } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * A Secrets Manager value ECS injects into a container at task start. Its `grantRead` gives the
 * execution role exactly what injection needs and writes it into that role's own policy:
 * `secretsmanager:GetSecretValue` on this secret, and `kms:Decrypt` on its key only through
 * Secrets Manager. Nothing is added to the key policy, so a container in another stack never
 * makes the secret's stack depend on it (as `Secret.grantRead` would, through the key policy).
 */
class InjectedSecret extends ecs.Secret {
  public readonly arn: string;
  public readonly hasField: boolean;

  constructor(
    private readonly secret: secretsmanager.ISecret,
    private readonly key: kms.IKey,
    field?: string,
  ) {
    super();
    this.arn = field ? `${secret.secretArn}:${field}::` : secret.secretArn;
    this.hasField = field !== undefined;
  }

  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secret.secretArn],
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
}

/** `secret` (or one JSON `field` of it), encrypted with `key`, as an ECS container secret. */
export function injectedSecret(secret: secretsmanager.ISecret, key: kms.IKey, field?: string): ecs.Secret {
  return new InjectedSecret(secret, key, field);
}
