import { ACCOUNT, DeployedTemplate, PARTITION, REGION } from '../../contracts/deployed-template';

/** A DeployedTemplate that also knows what CloudFormation returns for a Prometheus workspace's ARN and endpoint. */
export class DeployedWithWorkspaces extends DeployedTemplate {
  public override getAtt(id: string, attribute: string): string {
    if (this.resource(id).Type === 'AWS::APS::Workspace') {
      const workspaceId = `ws-${id.toLowerCase().slice(0, 8)}-1234-abcd-5678-ef90abcd1234`;
      if (attribute === 'Arn') return `arn:${PARTITION}:aps:${REGION}:${ACCOUNT}:workspace/${workspaceId}`;
      if (attribute === 'PrometheusEndpoint') return `https://aps-workspaces.${REGION}.amazonaws.com/workspaces/${workspaceId}/api/v1/`;
      if (attribute === 'WorkspaceId') return workspaceId;
    }
    return super.getAtt(id, attribute);
  }
}
