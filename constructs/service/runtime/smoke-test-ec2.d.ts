// The smoke test Lambda imports @aws-sdk/client-ec2 from the Node.js runtime (the bundle leaves
// @aws-sdk/* out), but shipshape does not depend on that package yet. These are the few types the
// handler uses, in the SDK's shape. A declaration script (no import or export), so this declares the
// module rather than augmenting it; tracked despite .gitignore's *.d.ts (which is for build output).
// DELETE THIS FILE when "@aws-sdk/client-ec2" is added to package.json; the handler then compiles
// against the real types unchanged.
declare module '@aws-sdk/client-ec2' {
  export interface Filter {
    Name?: string;
    Values?: string[];
  }
  export interface DescribeNetworkInterfacesCommandInput {
    Filters?: Filter[];
  }
  export interface NetworkInterface {
    Status?: string;
    PrivateIpAddress?: string;
    Description?: string;
  }
  export interface DescribeNetworkInterfacesCommandOutput {
    NetworkInterfaces?: NetworkInterface[];
  }
  export class DescribeNetworkInterfacesCommand {
    constructor(input: DescribeNetworkInterfacesCommandInput);
    readonly input: DescribeNetworkInterfacesCommandInput;
  }
  export class EC2Client {
    constructor(config: object);
    send(command: DescribeNetworkInterfacesCommand): Promise<DescribeNetworkInterfacesCommandOutput>;
  }
}
