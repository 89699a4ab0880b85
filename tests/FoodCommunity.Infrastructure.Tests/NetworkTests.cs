using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>Decision 2 (no NAT Gateway; endpoints, NAT instance, EICE) and the security groups.</summary>
public sealed class NetworkTests(SynthesizedApp app)
{
    private Template Network => app.TemplateOf(app.Stacks.Network);

    [Fact]
    public void Vpc_HasNoNatGateway_ButANatInstanceThatForwards()
    {
        Assert.Empty(app.Resources("AWS::EC2::NatGateway"));
        var nat = Assert.Single(app.Resources("AWS::EC2::Instance")).Resource["Properties"]!;
        Assert.False((bool)nat["SourceDestCheck"]!);
        Assert.Equal("t4g.nano", (string?)nat["InstanceType"]);
        // Both private subnets route to the internet through that instance.
        Network.ResourcePropertiesCountIs("AWS::EC2::Route", new Dictionary<string, object>
        {
            ["DestinationCidrBlock"] = "0.0.0.0/0",
            ["InstanceId"] = Match.AnyValue(),
        }, 2);
    }

    [Fact]
    public void Vpc_SpansTwoAzs_WithPublicPrivateAndIsolatedSubnets()
    {
        Network.ResourceCountIs("AWS::EC2::Subnet", 6);
        Network.ResourcePropertiesCountIs("AWS::EC2::Subnet", new Dictionary<string, object> { ["MapPublicIpOnLaunch"] = true }, 2);
        // Isolated subnets: route tables without any route (no internet, no NAT).
        var routes = app.Resources("AWS::EC2::Route").Select(r => (string?)r.Resource["Properties"]!["RouteTableId"]!["Ref"]).ToHashSet();
        var isolatedTables = app.Resources("AWS::EC2::RouteTable").Where(r => r.Id.Contains("dataSubnet", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, isolatedTables.Count);
        Assert.All(isolatedTables, t => Assert.DoesNotContain(t.Id, routes));
    }

    [Fact]
    public void S3_IsReachedThroughAFreeGatewayEndpoint()
    {
        Network.HasResourceProperties("AWS::EC2::VPCEndpoint", new Dictionary<string, object>
        {
            ["VpcEndpointType"] = "Gateway",
            ["ServiceName"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["Fn::Join"] = Match.ArrayWith([Match.ArrayWith([".s3"])]),
            }),
        });
    }

    [Fact]
    public void InterfaceEndpoints_AreOnlyTheBootPath_SsmAndSecretsManager()
    {
        var services = app.Resources("AWS::EC2::VPCEndpoint")
            .Where(e => (string?)e.Resource["Properties"]!["VpcEndpointType"] == "Interface")
            .Select(e => TemplateText.Flatten(e.Resource["Properties"]!["ServiceName"]))
            .Order()
            .ToArray();
        Assert.Equal(["com.amazonaws.ap-northeast-2.secretsmanager", "com.amazonaws.ap-northeast-2.ssm"], services);
    }

    [Fact]
    public void InstanceConnectEndpoint_IsTheOnlyWayToSsh()
    {
        Network.ResourceCountIs("AWS::EC2::InstanceConnectEndpoint", 1);
        var ssh = Ingress().Where(r => r.FromPort == 22).ToList();
        var rule = Assert.Single(ssh);
        Assert.Equal(("Api", "InstanceConnect"), (rule.Group, rule.Source));
    }

    [Fact]
    public void SecurityGroups_AllowExactlyTheDesignedIngress()
    {
        var expected = new[]
        {
            ("Alb", "0.0.0.0/0", 80),
            ("Alb", "0.0.0.0/0", 443),
            ("Api", "Alb", NetworkStack.ApiPort),
            ("Api", "InstanceConnect", 22),
            ("Cache", "Api", 6379),
            ("Database", "Api", 3306),
            ("Endpoints", "Api", 443),
            ("VpcNat", "Api", 443),
            ("VpcNat", "Api", MailStack.SmtpPort),
        };
        Assert.Equal(expected, Ingress().Select(r => (r.Group, r.Source, r.FromPort)).Order().ToArray());
        Assert.All(Ingress(), r => Assert.Equal(r.FromPort, r.ToPort));
    }

    [Fact]
    public void NothingIsOpenToTheInternet_ButTheAlbOn80And443()
    {
        var open = Ingress().Where(r => r.Source is "0.0.0.0/0" or "::/0").Select(r => (r.Group, r.FromPort)).Order().ToArray();
        Assert.Equal([("Alb", 80), ("Alb", 443)], open);
        // Every stack: no group anywhere else takes a CIDR rule.
        var cidrRulesElsewhere = app.Resources("AWS::EC2::SecurityGroupIngress")
            .Where(r => r.Resource["Properties"]!["CidrIp"] is not null || r.Resource["Properties"]!["CidrIpv6"] is not null);
        Assert.Empty(cidrRulesElsewhere);
    }

    /// <summary>Every ingress rule of every stack, inline or separate, as (group, source, ports) with groups named by construct.</summary>
    private List<(string Group, string Source, int FromPort, int ToPort)> Ingress()
    {
        static string Name(string logicalId) => logicalId.Replace("SecurityGroup", "", StringComparison.Ordinal)[..^8];
        static string Peer(JsonNode rule) =>
            (string?)rule["CidrIp"] ?? (string?)rule["CidrIpv6"]
            ?? Name((string)rule["SourceSecurityGroupId"]!["Fn::GetAtt"]![0]!);

        var rules = new List<(string, string, int, int)>();
        foreach (var (_, id, group) in app.Resources("AWS::EC2::SecurityGroup"))
        {
            foreach (var rule in TemplateText.AsList(group["Properties"]!["SecurityGroupIngress"]))
            {
                rules.Add((Name(id), Peer(rule!), (int)rule!["FromPort"]!, (int)rule["ToPort"]!));
            }
        }

        foreach (var (_, _, resource) in app.Resources("AWS::EC2::SecurityGroupIngress"))
        {
            var rule = resource["Properties"]!;
            rules.Add((Name((string)rule["GroupId"]!["Fn::GetAtt"]![0]!), Peer(rule), (int)rule["FromPort"]!, (int)rule["ToPort"]!));
        }

        return rules;
    }
}
