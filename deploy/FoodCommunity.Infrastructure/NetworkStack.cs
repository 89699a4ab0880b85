using Amazon.CDK;
using Amazon.CDK.AWS.EC2;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>The VPC box of the design: subnets, the ways out of them, and every security group.</summary>
public sealed class NetworkStack : Stack
{
    public const int ApiPort = 8080;

    public Vpc Vpc { get; }
    public SecurityGroup AlbSecurityGroup { get; }
    public SecurityGroup ApiSecurityGroup { get; }
    public SecurityGroup DatabaseSecurityGroup { get; }
    public SecurityGroup CacheSecurityGroup { get; }

    public NetworkStack(Construct scope, string id, Settings settings, IStackProps props) : base(scope, id, props)
    {
        // Decision 2: no NAT Gateway ($0.059/h + $0.059/GB per AZ); a t4g.nano NAT instance for the little egress left.
        var nat = NatProvider.InstanceV2(new NatInstanceProps
        {
            InstanceType = new InstanceType("t4g.nano"),
            MachineImage = MachineImage.LatestAmazonLinux2023(new AmazonLinux2023ImageSsmParameterProps { CpuType = AmazonLinuxCpuType.ARM_64 }),
            DefaultAllowedTraffic = NatTrafficDirection.OUTBOUND_ONLY,
        });

        // Two AZs: the ALB needs two, and the ASG spreads the on-demand base over both.
        Vpc = new Vpc(this, "Vpc", new VpcProps
        {
            IpAddresses = IpAddresses.Cidr("10.20.0.0/16"),
            MaxAzs = 2,
            NatGatewayProvider = nat,
            NatGateways = settings.NatInstances,
            SubnetConfiguration =
            [
                new SubnetConfiguration { Name = "public", SubnetType = SubnetType.PUBLIC, CidrMask = 24 },
                new SubnetConfiguration { Name = "app", SubnetType = SubnetType.PRIVATE_WITH_EGRESS, CidrMask = 22 },
                new SubnetConfiguration { Name = "data", SubnetType = SubnetType.PRIVATE_ISOLATED, CidrMask = 24 },
            ],
            // S3 (image checks, deletions, releases, dnf repositories) through a free gateway endpoint, never the NAT.
            GatewayEndpoints = new Dictionary<string, IGatewayVpcEndpointOptions>
            {
                ["S3"] = new GatewayVpcEndpointOptions { Service = GatewayVpcEndpointAwsService.S3 },
            },
        });

        AlbSecurityGroup = Group("Alb", "ALB: HTTPS from the internet, HTTP only to redirect", allowAllOutbound: false);
        ApiSecurityGroup = Group("Api", "API instances", allowAllOutbound: true);
        DatabaseSecurityGroup = Group("Database", "RDS MySQL: the API only", allowAllOutbound: false);
        CacheSecurityGroup = Group("Cache", "ElastiCache: the API only", allowAllOutbound: false);
        var endpointsGroup = Group("Endpoints", "Interface endpoints: HTTPS from the API", allowAllOutbound: false);
        var connectGroup = Group("InstanceConnect", "EC2 Instance Connect Endpoint", allowAllOutbound: false);

        AlbSecurityGroup.AddIngressRule(Peer.AnyIpv4(), Port.Tcp(443), "HTTPS from the internet");
        AlbSecurityGroup.AddIngressRule(Peer.AnyIpv4(), Port.Tcp(80), "HTTP, answered with a redirect to HTTPS");
        AlbSecurityGroup.AddEgressRule(ApiSecurityGroup, Port.Tcp(ApiPort), "to the API port only");
        ApiSecurityGroup.AddIngressRule(AlbSecurityGroup, Port.Tcp(ApiPort), "from the ALB, the API port only");
        DatabaseSecurityGroup.AddIngressRule(ApiSecurityGroup, Port.Tcp(3306), "MySQL from the API");
        CacheSecurityGroup.AddIngressRule(ApiSecurityGroup, Port.Tcp(6379), "Redis from the API");
        endpointsGroup.AddIngressRule(ApiSecurityGroup, Port.Tcp(443), "AWS APIs from the API instances");
        nat.SecurityGroup.AddIngressRule(ApiSecurityGroup, Port.Tcp(443), "HTTPS egress of the API instances");
        // Password-reset mail to SES's SMTP interface: rare, and it may wait for the NAT instance (no endpoint).
        nat.SecurityGroup.AddIngressRule(ApiSecurityGroup, Port.Tcp(MailStack.SmtpPort), "SMTP submission to Amazon SES");

        // Decision 2: EC2 Instance Connect Endpoint instead of a bastion or open SSH.
        connectGroup.AddEgressRule(ApiSecurityGroup, Port.Tcp(22), "SSH to the API instances");
        ApiSecurityGroup.AddIngressRule(connectGroup, Port.Tcp(22), "SSH through EC2 Instance Connect Endpoint only");
        _ = new CfnInstanceConnectEndpoint(this, "InstanceConnectEndpoint", new CfnInstanceConnectEndpointProps
        {
            SubnetId = Vpc.PrivateSubnets[0].SubnetId,
            SecurityGroupIds = [connectGroup.SecurityGroupId],
            PreserveClientIp = false,
        });

        // Decision 2: interface endpoints only where a dead NAT instance would stop the service: an instance
        // reads its settings at boot (SSM, Secrets Manager). Logs and metrics buffer and retry via the NAT.
        foreach (var (name, service) in new[]
                 {
                     ("Ssm", InterfaceVpcEndpointAwsService.SSM),
                     ("SecretsManager", InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
                 })
        {
            Vpc.AddInterfaceEndpoint(name, new InterfaceVpcEndpointOptions
            {
                Service = service,
                Subnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
                SecurityGroups = [endpointsGroup],
                Open = false,
                PrivateDnsEnabled = true,
            });
        }
    }

    private SecurityGroup Group(string id, string description, bool allowAllOutbound) =>
        new(this, id + "SecurityGroup", new SecurityGroupProps
        {
            Vpc = Vpc,
            Description = description,
            AllowAllOutbound = allowAllOutbound,
        });
}
