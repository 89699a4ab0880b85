using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Amazon.CDK.Assertions;
using Match = Amazon.CDK.Assertions.Match;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>Decision 1 (Spot + Graviton) and how the fleet runs, drains and scales.</summary>
public sealed partial class FleetTests(SynthesizedApp app)
{
    private Template Fleet => app.TemplateOf(app.Stacks.Fleet);
    private JsonNode Asg => app.Single(app.Stacks.Fleet, "AWS::AutoScaling::AutoScalingGroup")["Properties"]!;
    private JsonNode LaunchTemplate => app.Single(app.Stacks.Fleet, "AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!;
    private string UserData => TemplateText.Flatten(LaunchTemplate["UserData"]);

    [Fact]
    public void Asg_KeepsTwoOnDemandNodes_AndBuysEverythingAboveAsSpot()
    {
        Fleet.HasResourceProperties("AWS::AutoScaling::AutoScalingGroup", new Dictionary<string, object>
        {
            ["MinSize"] = "2",
            ["MaxSize"] = "12",
            ["CapacityRebalance"] = true,
            ["MixedInstancesPolicy"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["InstancesDistribution"] = new Dictionary<string, object>
                {
                    ["OnDemandBaseCapacity"] = 2,
                    ["OnDemandPercentageAboveBaseCapacity"] = 0,
                    ["OnDemandAllocationStrategy"] = "prioritized",
                    ["SpotAllocationStrategy"] = "price-capacity-optimized",
                },
            }),
        });
        var types = Asg["MixedInstancesPolicy"]!["LaunchTemplate"]!["Overrides"]!.AsArray().Select(o => (string?)o!["InstanceType"]).ToArray();
        Assert.Equal("t4g.medium", types[0]);
        Assert.True(types.Length >= 4, "Spot needs several pools to choose from");
    }

    [Fact]
    public void Fleet_IsArm64Graviton_Only()
    {
        Assert.Equal("t4g.medium", (string?)LaunchTemplate["InstanceType"]);
        var types = Asg["MixedInstancesPolicy"]!["LaunchTemplate"]!["Overrides"]!.AsArray().Select(o => (string)o!["InstanceType"]!);
        Assert.All(types, t => Assert.Matches(GravitonType(), t));
        // The image is Amazon Linux 2023 for arm64, resolved from SSM at deploy time.
        var imageParameter = (string)LaunchTemplate["ImageId"]!["Ref"]!;
        var parameter = app.Json[app.Stacks.Fleet.StackName]["Parameters"]![imageParameter]!;
        Assert.Equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64", (string?)parameter["Default"]);
    }

    [Fact]
    public void Instances_RequireImdsv2_AndEncryptedGp3()
    {
        Fleet.HasResourceProperties("AWS::EC2::LaunchTemplate", new Dictionary<string, object>
        {
            ["LaunchTemplateData"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["MetadataOptions"] = Match.ObjectLike(new Dictionary<string, object> { ["HttpTokens"] = "required" }),
                ["BlockDeviceMappings"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["DeviceName"] = "/dev/xvda",
                        ["Ebs"] = Match.ObjectLike(new Dictionary<string, object> { ["VolumeType"] = "gp3", ["Encrypted"] = true }),
                    },
                },
            }),
        });
    }

    [Fact]
    public void TerminatingInstances_WaitInALifecycleHook_LongEnoughToDrain_WithinSpotsTwoMinutes()
    {
        var hook = app.Single(app.Stacks.Fleet, "AWS::AutoScaling::LifecycleHook")["Properties"]!;
        Assert.Equal("autoscaling:EC2_INSTANCE_TERMINATING", (string?)hook["LifecycleTransition"]);
        Assert.Equal("CONTINUE", (string?)hook["DefaultResult"]);
        var heartbeat = (int)hook["HeartbeatTimeout"]!;
        Assert.InRange(heartbeat, app.Defaults.ApiShutdownSeconds + 15, 120);
        // The instance completes the hook once the API has stopped.
        Assert.Contains("systemctl stop foodcommunity-api", UserData, StringComparison.Ordinal);
        Assert.Contains("complete-lifecycle-action", UserData, StringComparison.Ordinal);
    }

    [Fact]
    public void Alb_RoutesOnlyToReadyInstances_AndDrainsThemAsLongAsTheApiDoes()
    {
        Fleet.HasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", new Dictionary<string, object>
        {
            ["Port"] = NetworkStack.ApiPort,
            ["HealthCheckPath"] = "/health/ready",
            ["TargetGroupAttributes"] = Match.ArrayWith([new Dictionary<string, object>
            {
                ["Key"] = "deregistration_delay.timeout_seconds",
                ["Value"] = app.Defaults.ApiShutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }]),
        });
        // systemd waits for the API's drain before it would kill it.
        Assert.Contains($"TimeoutStopSec={app.Defaults.ApiShutdownSeconds + 15}", UserData, StringComparison.Ordinal);
        Assert.Contains("KillSignal=SIGTERM", UserData, StringComparison.Ordinal);
    }

    [Fact]
    public void Alb_ServesHttps_RedirectsHttp_AndHidesMetrics()
    {
        Fleet.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", new Dictionary<string, object> { ["Port"] = 443, ["Protocol"] = "HTTPS" });
        Fleet.HasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", new Dictionary<string, object>
        {
            ["Port"] = 80,
            ["DefaultActions"] = new object[]
            {
                Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Type"] = "redirect",
                    ["RedirectConfig"] = Match.ObjectLike(new Dictionary<string, object> { ["Protocol"] = "HTTPS", ["Port"] = "443" }),
                }),
            },
        });
        Fleet.HasResourceProperties("AWS::ElasticLoadBalancingV2::ListenerRule", new Dictionary<string, object>
        {
            ["Actions"] = new object[] { Match.ObjectLike(new Dictionary<string, object> { ["Type"] = "fixed-response" }) },
            ["Conditions"] = new object[] { Match.ObjectLike(new Dictionary<string, object> { ["PathPatternConfig"] = new Dictionary<string, object> { ["Values"] = new[] { "/metrics", "/metrics/*" } } }) },
        });
    }

    [Fact]
    public void Asg_TracksThePerNodeCapacityOfCapacityMd()
    {
        Fleet.HasResourceProperties("AWS::AutoScaling::ScalingPolicy", new Dictionary<string, object>
        {
            ["PolicyType"] = "TargetTrackingScaling",
            ["TargetTrackingConfiguration"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["PredefinedMetricSpecification"] = Match.ObjectLike(new Dictionary<string, object> { ["PredefinedMetricType"] = "ALBRequestCountPerTarget" }),
                ["TargetValue"] = 350 * 60,
            }),
        });
    }

    [Fact]
    public void Instances_RunTheApiAsASystemdService_WithProductionSettingsFromSsmAndSecretsManager()
    {
        Assert.Contains("[Service]", UserData, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now foodcommunity-api", UserData, StringComparison.Ordinal);
        Assert.Contains("aws ssm get-parameter", UserData, StringComparison.Ordinal);
        Assert.Contains("aws secretsmanager get-secret-value", UserData, StringComparison.Ordinal);
        Assert.Contains("amazon-cloudwatch-agent-ctl", UserData, StringComparison.Ordinal);
        Assert.DoesNotContain("@@", UserData, StringComparison.Ordinal);
        var settings = TemplateText.Flatten(app.Resources("AWS::SSM::Parameter")
            .Single(p => (string?)p.Resource["Properties"]!["Name"] == FleetStack.SettingsParameterName).Resource["Properties"]!["Value"]);
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Production", settings, StringComparison.Ordinal);
        Assert.Contains($"Auth__Issuer=https://{app.Defaults.ApiDomain}", settings, StringComparison.Ordinal);
        Assert.Contains($"Http__ShutdownTimeoutSeconds={app.Defaults.ApiShutdownSeconds}", settings, StringComparison.Ordinal);
        Assert.Contains("Http__TrustedProxyNetworks__1=", settings, StringComparison.Ordinal);
    }

    [Fact]
    public void Migrations_RunOnceThroughRunCommand_NeverAtInstanceStart()
    {
        var document = app.Single(app.Stacks.Fleet, "AWS::SSM::Document")["Properties"]!;
        Assert.Equal(FleetStack.MigrateDocumentName, (string?)document["Name"]);
        Assert.Contains("run-api migrate", document["Content"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("ExecStart=/opt/foodcommunity/bin/run-api\n", UserData, StringComparison.Ordinal);
        var bootCommands = UserData.Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
        Assert.DoesNotContain(bootCommands, l => l.Contains("migrate", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(t4g|[cmr][678]g[a-z]*)\.[a-z0-9]+$")]
    private static partial Regex GravitonType();
}
