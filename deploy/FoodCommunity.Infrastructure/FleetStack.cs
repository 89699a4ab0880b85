using System.Globalization;
using System.Text.Json;
using Amazon.CDK;
using Amazon.CDK.AWS.AutoScaling;
using Amazon.CDK.AWS.EC2;
using Amazon.CDK.AWS.ElasticLoadBalancingV2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SSM;
using Constructs;
using HealthCheck = Amazon.CDK.AWS.ElasticLoadBalancingV2.HealthCheck;
using BlockDevice = Amazon.CDK.AWS.EC2.BlockDevice;
using BlockDeviceVolume = Amazon.CDK.AWS.EC2.BlockDeviceVolume;
using EbsDeviceOptions = Amazon.CDK.AWS.EC2.EbsDeviceOptions;
using EbsDeviceVolumeType = Amazon.CDK.AWS.EC2.EbsDeviceVolumeType;
using InstanceType = Amazon.CDK.AWS.EC2.InstanceType;

namespace FoodCommunity.Infrastructure;

/// <summary>The EC2 (ASG) and ALB boxes: the API on Graviton, part Spot, behind an ALB.</summary>
public sealed class FleetStack : Stack
{
    public const string AutoScalingGroupName = "foodcommunity-api";
    public const string DrainHookName = "drain";
    public const string ReleaseParameterName = "/foodcommunity/api/release";
    public const string SettingsParameterName = "/foodcommunity/api/settings";
    public const string AgentConfigParameterName = "AmazonCloudWatch-foodcommunity-api";
    public const string MigrateDocumentName = "FoodCommunity-Migrate";

    /// <summary>Spot types the ASG may take: arm64 (Graviton) only, 2 vCPUs, at least 4 GiB, like the t4g.medium.</summary>
    public static readonly string[] InstanceTypes = ["t4g.medium", "t4g.large", "c6g.large", "c7g.large", "m6g.large", "m7g.large"];

    public ApplicationLoadBalancer Alb { get; }
    public ApplicationTargetGroup TargetGroup { get; }
    public AutoScalingGroup Asg { get; }
    public Bucket ReleaseBucket { get; }
    public LogGroup ApiLogs { get; }

    public FleetStack(Construct scope, string id, Settings settings, NetworkStack network, DataStack data,
        UploadsStack uploads, EdgeStack edge, MailStack mail, WebStack web, IStackProps props) : base(scope, id, props)
    {
        // Releases: the API published for linux-arm64, one tarball per version; instances install the one SSM names.
        ReleaseBucket = new Bucket(this, "ReleaseBucket", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            Versioned = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
        });
        var release = new StringParameter(this, "Release", new StringParameterProps
        {
            ParameterName = ReleaseParameterName,
            Description = "API version the instances install: s3://<release bucket>/api/<version>/foodcommunity-api-linux-arm64.tar.gz",
            StringValue = "unreleased",
        });

        // The signing key is put in by the operator (docs/deploy.md); until then the API refuses to start.
        var signingKey = new Secret(this, "SigningKey", new SecretProps
        {
            Description = "FoodCommunity API token signing keys: {\"current\": PEM, \"previous\": PEM or \"\"}",
            GenerateSecretString = new SecretStringGenerator
            {
                SecretStringTemplate = "{\"previous\":\"\"}",
                GenerateStringKey = "current",
                ExcludePunctuation = true,
            },
        });

        ApiLogs = new LogGroup(this, "ApiLogs", new LogGroupProps { Retention = RetentionDays.ONE_MONTH, RemovalPolicy = RemovalPolicy.DESTROY });
        var metricLogs = new LogGroup(this, "ApiMetricLogs", new LogGroupProps { Retention = RetentionDays.ONE_DAY, RemovalPolicy = RemovalPolicy.DESTROY });

        var settingsParameter = new StringParameter(this, "ApiSettings", new StringParameterProps
        {
            ParameterName = SettingsParameterName,
            Description = "FoodCommunity API Production settings that are not secret, one KEY=VALUE a line",
            StringValue = string.Join('\n', ApiSettings(settings, network, uploads, edge, mail, web)),
        });
        var agentConfig = new StringParameter(this, "AgentConfig", new StringParameterProps
        {
            ParameterName = AgentConfigParameterName,
            Description = "CloudWatch agent: API log file, memory, the API's like-backlog gauges from /metrics",
            StringValue = AgentConfig(ApiLogs.LogGroupName, metricLogs.LogGroupName),
        });

        var role = new Role(this, "ApiRole", new RoleProps
        {
            AssumedBy = new ServicePrincipal("ec2.amazonaws.com"),
            ManagedPolicies =
            [
                // Run Command (the one-shot migration) and Session Manager.
                ManagedPolicy.FromAwsManagedPolicyName("AmazonSSMManagedInstanceCore"),
                ManagedPolicy.FromAwsManagedPolicyName("CloudWatchAgentServerPolicy"),
            ],
        });
        // The API's own S3 work (docs/images.md): read manifests, re-tag a post's renditions attached, delete
        // uploads once posted and a deleted post's images. It never reads an upload's bytes, but S3 authorizes
        // the HEAD that tells "still processing" (409) from "never uploaded" (400) as s3:GetObject.
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetObject", "s3:DeleteObject"],
            Resources = [uploads.Bucket.ArnForObjects(UploadsStack.UploadsPrefix + "*")],
        }));
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:GetObject", "s3:PutObjectTagging", "s3:DeleteObject"],
            Resources = [uploads.Bucket.ArnForObjects(UploadsStack.ImagesPrefix + "*")],
        }));
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps { Actions = ["s3:ListBucket"], Resources = [uploads.Bucket.BucketArn] }));
        ReleaseBucket.GrantRead(role, "api/*");
        release.GrantRead(role);
        settingsParameter.GrantRead(role);
        agentConfig.GrantRead(role);
        signingKey.GrantRead(role);
        mail.SmtpCredentials.GrantRead(role);
        data.CacheAuthToken.GrantRead(role);
        role.AddToPolicy(new PolicyStatement(new PolicyStatementProps { Actions = ["secretsmanager:GetSecretValue"], Resources = [data.DatabaseSecretArn] }));
        // A separate policy: the ASG resource depends on the role, and this statement names the ASG.
        _ = new Policy(this, "DrainHookPolicy", new PolicyProps
        {
            Roles = [role],
            Statements =
            [
                new PolicyStatement(new PolicyStatementProps
                {
                    Actions = ["autoscaling:CompleteLifecycleAction"],
                    Resources = [$"arn:{Aws.PARTITION}:autoscaling:{Aws.REGION}:{Aws.ACCOUNT_ID}:autoScalingGroup:*:autoScalingGroupName/{AutoScalingGroupName}"],
                }),
            ],
        });

        var userData = UserData.ForLinux();
        userData.AddCommands(UserDataScript(settings, data, mail, release, settingsParameter, agentConfig, signingKey));

        // Decision 1: t4g.medium (Graviton, arm64), Amazon Linux 2023; IMDSv2 only; encrypted gp3 root volume.
        var launchTemplate = new LaunchTemplate(this, "ApiLaunchTemplate", new LaunchTemplateProps
        {
            InstanceType = new InstanceType("t4g.medium"),
            MachineImage = MachineImage.LatestAmazonLinux2023(new AmazonLinux2023ImageSsmParameterProps { CpuType = AmazonLinuxCpuType.ARM_64 }),
            RequireImdsv2 = true,
            HttpPutResponseHopLimit = 1,
            // docs/capacity.md: the fleet runs above the 20% baseline every evening; unlimited bills the surplus.
            CpuCredits = CpuCredits.UNLIMITED,
            Role = role,
            SecurityGroup = network.ApiSecurityGroup,
            UserData = userData,
            BlockDevices =
            [
                new BlockDevice
                {
                    DeviceName = "/dev/xvda",
                    Volume = BlockDeviceVolume.Ebs(20, new EbsDeviceOptions { VolumeType = EbsDeviceVolumeType.GP3, Encrypted = true, DeleteOnTermination = true }),
                },
            ],
        });

        // Decision 1: on-demand base of 2, Spot above it over several Graviton types, replaced before interruption.
        Asg = new AutoScalingGroup(this, "ApiFleet", new AutoScalingGroupProps
        {
            AutoScalingGroupName = AutoScalingGroupName,
            Vpc = network.Vpc,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PRIVATE_WITH_EGRESS },
            MinCapacity = settings.OnDemandBase,
            MaxCapacity = settings.MaxNodes,
            CapacityRebalance = true,
            MixedInstancesPolicy = new MixedInstancesPolicy
            {
                LaunchTemplate = launchTemplate,
                LaunchTemplateOverrides = InstanceTypes.Select(t => new LaunchTemplateOverrides { InstanceType = new InstanceType(t) }).ToArray(),
                InstancesDistribution = new InstancesDistribution
                {
                    OnDemandBaseCapacity = settings.OnDemandBase,
                    OnDemandPercentageAboveBaseCapacity = 0,
                    OnDemandAllocationStrategy = OnDemandAllocationStrategy.PRIORITIZED,
                    SpotAllocationStrategy = SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
                },
            },
            HealthCheck = Amazon.CDK.AWS.AutoScaling.HealthCheck.Elb(new ElbHealthCheckOptions { Grace = Duration.Minutes(5) }),
            DefaultInstanceWarmup = Duration.Minutes(3),
            GroupMetrics = [GroupMetrics.All()],
        });

        // Spot interruption or scale-in: the instance waits in Terminating:Wait while drain-on-terminate stops the API.
        Asg.AddLifecycleHook("DrainHook", new BasicLifecycleHookProps
        {
            LifecycleHookName = DrainHookName,
            LifecycleTransition = LifecycleTransition.INSTANCE_TERMINATING,
            DefaultResult = DefaultResult.CONTINUE,
            // The API drains for ShutdownTimeoutSeconds (+ systemd's margin); Spot gives 120 s in all.
            HeartbeatTimeout = Duration.Seconds(settings.ApiShutdownSeconds * 3),
        });

        // ALB: HTTPS for the API's public URL (the tokens' issuer); HTTP only redirects.
        Alb = new ApplicationLoadBalancer(this, "Alb", new ApplicationLoadBalancerProps
        {
            Vpc = network.Vpc,
            InternetFacing = true,
            SecurityGroup = network.AlbSecurityGroup,
            VpcSubnets = new SubnetSelection { SubnetType = SubnetType.PUBLIC },
            // Below the API's keep-alive (75 s), so the ALB never reuses a connection the API is closing.
            IdleTimeout = Duration.Seconds(60),
            DropInvalidHeaderFields = true,
        });
        Alb.AddRedirect(new ApplicationLoadBalancerRedirectConfig { SourcePort = 80, SourceProtocol = ApplicationProtocol.HTTP, TargetPort = 443, TargetProtocol = ApplicationProtocol.HTTPS, Open = false });
        var https = Alb.AddListener("Https", new BaseApplicationListenerProps
        {
            Port = 443,
            Protocol = ApplicationProtocol.HTTPS,
            SslPolicy = SslPolicy.RECOMMENDED_TLS,
            Certificates = [ListenerCertificate.FromArn(settings.CertificateArn)],
            Open = false,
        });
        TargetGroup = https.AddTargets("Api", new AddApplicationTargetsProps
        {
            Port = NetworkStack.ApiPort,
            Protocol = ApplicationProtocol.HTTP,
            Targets = [Asg],
            HealthCheck = new HealthCheck
            {
                Path = "/health/ready",
                HealthyHttpCodes = "200",
                Interval = Duration.Seconds(10),
                Timeout = Duration.Seconds(5),
                HealthyThresholdCount = 2,
                UnhealthyThresholdCount = 3,
            },
            // Requests the ALB still has in flight when draining starts get what the API gives its own: 30 s.
            DeregistrationDelay = Duration.Seconds(settings.ApiShutdownSeconds),
        });
        // /metrics is for the CloudWatch agent on the instance, never for the internet.
        https.AddAction("HideMetrics", new AddApplicationActionProps
        {
            Priority = 10,
            Conditions = [ListenerCondition.PathPatterns(["/metrics", "/metrics/*"])],
            Action = ListenerAction.FixedResponse(404, new FixedResponseOptions { ContentType = "text/plain", MessageBody = "Not Found" }),
        });

        // Target tracking on what one node carries (docs/capacity.md), per minute as the ALB counts.
        Asg.ScaleOnRequestCount("RequestsPerNode", new RequestCountScalingProps
        {
            TargetRequestsPerMinute = settings.RequestsPerNodePerSecond * 60,
        });

        // Migrations run once per deployment, on one instance, through Run Command (docs/deploy.md).
        _ = new CfnDocument(this, "MigrateDocument", new CfnDocumentProps
        {
            Name = MigrateDocumentName,
            DocumentType = "Command",
            UpdateMethod = "NewVersion",
            Content = new Dictionary<string, object>
            {
                ["schemaVersion"] = "2.2",
                ["description"] = "Installs an API release on this instance and applies its database migrations once.",
                ["parameters"] = new Dictionary<string, object>
                {
                    ["Version"] = new Dictionary<string, object> { ["type"] = "String", ["description"] = "Release to migrate to", ["allowedPattern"] = "^[A-Za-z0-9._-]+$" },
                },
                ["mainSteps"] = new object[]
                {
                    new Dictionary<string, object>
                    {
                        ["action"] = "aws:runShellScript",
                        ["name"] = "migrate",
                        ["inputs"] = new Dictionary<string, object>
                        {
                            ["timeoutSeconds"] = "900",
                            ["runCommand"] = new[]
                            {
                                "set -euo pipefail",
                                "/opt/foodcommunity/bin/install-release '{{ Version }}'",
                                "runuser -u foodcommunity -- /opt/foodcommunity/bin/run-api migrate",
                            },
                        },
                    },
                },
            },
        });

        _ = new CfnOutput(this, "AlbDnsName", new CfnOutputProps { Value = Alb.LoadBalancerDnsName, Description = "Point the API's domain (an alias record) here" });
        _ = new CfnOutput(this, "ReleaseBucketName", new CfnOutputProps { Value = ReleaseBucket.BucketName });
        _ = new CfnOutput(this, "SigningKeySecret", new CfnOutputProps { Value = signingKey.SecretArn });
    }

    private static IEnumerable<string> ApiSettings(Settings settings, NetworkStack network, UploadsStack uploads, EdgeStack edge, MailStack mail, WebStack web)
    {
        yield return "ASPNETCORE_ENVIRONMENT=Production";
        yield return $"ASPNETCORE_HTTP_PORTS={NetworkStack.ApiPort}";
        yield return $"Auth__Issuer={settings.ApiIssuer}";
        yield return "Database__ServerVersion=8.4.0-mysql";
        // 12 nodes x 50 stay under db.m5.large's 682 connections; one node needs far fewer (capacity.md).
        yield return "Database__MaxPoolSize=50";
        yield return $"Storage__BucketName={uploads.Bucket.BucketName}";
        yield return $"Storage__PublicBaseUrl={edge.PublicBaseUrl}";
        yield return $"Storage__Region={settings.Region}";
        yield return $"Http__ShutdownTimeoutSeconds={settings.ApiShutdownSeconds}";
        // SES's SMTP interface; the credentials come from the mail secret (run-api), never from this parameter.
        yield return $"Mail__SmtpHost={mail.SmtpHost}";
        yield return $"Mail__SmtpPort={MailStack.SmtpPort}";
        yield return "Mail__UseStartTls=true";
        yield return $"Mail__FromAddress={mail.FromAddress}";
        // The web client's CloudFront answers this path with its page, which takes ?token= (web/README.md).
        yield return $"Mail__PasswordResetUrl=https://{web.Distribution.DistributionDomainName}/reset-password";
        var publicSubnets = network.Vpc.PublicSubnets;
        for (var i = 0; i < publicSubnets.Length; i++)
        {
            yield return $"Http__TrustedProxyNetworks__{i}={publicSubnets[i].Ipv4CidrBlock}";
        }
    }

    private static string AgentConfig(string logGroup, string metricLogGroup) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["agent"] = new Dictionary<string, object> { ["metrics_collection_interval"] = 60 },
        ["metrics"] = new Dictionary<string, object>
        {
            ["namespace"] = "CWAgent",
            ["append_dimensions"] = new Dictionary<string, string> { ["AutoScalingGroupName"] = "${aws:AutoScalingGroupName}", ["InstanceId"] = "${aws:InstanceId}" },
            ["aggregation_dimensions"] = new[] { new[] { "AutoScalingGroupName" } },
            ["metrics_collected"] = new Dictionary<string, object> { ["mem"] = new Dictionary<string, object> { ["measurement"] = new[] { "mem_used_percent" } } },
        },
        ["logs"] = new Dictionary<string, object>
        {
            ["logs_collected"] = new Dictionary<string, object>
            {
                ["files"] = new Dictionary<string, object>
                {
                    ["collect_list"] = new[]
                    {
                        new Dictionary<string, string> { ["file_path"] = "/var/log/foodcommunity/api.log", ["log_group_name"] = logGroup, ["log_stream_name"] = "{instance_id}" },
                    },
                },
            },
            ["metrics_collected"] = new Dictionary<string, object>
            {
                ["prometheus"] = new Dictionary<string, object>
                {
                    ["prometheus_config_path"] = "/opt/foodcommunity/prometheus.yaml",
                    ["log_group_name"] = metricLogGroup,
                    ["emf_processor"] = new Dictionary<string, object>
                    {
                        ["metric_namespace"] = MonitoringStack.ApiNamespace,
                        ["metric_declaration"] = new[]
                        {
                            new Dictionary<string, object>
                            {
                                ["source_labels"] = new[] { "job" },
                                ["label_matcher"] = "^foodcommunity-api$",
                                ["dimensions"] = new[] { new[] { "job" } },
                                ["metric_selectors"] = new[] { "^" + MonitoringStack.LikeBacklogAgeMetric + "$", "^foodcommunity_likes_backlog$" },
                            },
                        },
                    },
                },
            },
        },
    });

    private string UserDataScript(Settings settings, DataStack data, MailStack mail, StringParameter release, StringParameter settingsParameter,
        StringParameter agentConfig, Secret signingKey)
    {
        var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fleet", "user-data.sh"));
        var values = new Dictionary<string, string>
        {
            ["REGION"] = settings.Region,
            ["RELEASE_PARAMETER"] = release.ParameterName,
            ["RELEASE_BUCKET"] = ReleaseBucket.BucketName,
            ["SETTINGS_PARAMETER"] = settingsParameter.ParameterName,
            ["AGENT_CONFIG_PARAMETER"] = agentConfig.ParameterName,
            ["DB_SECRET"] = data.DatabaseSecretArn,
            ["DB_HOST"] = data.Database.DbInstanceEndpointAddress,
            ["DB_REPLICA_HOST"] = data.Replica.DbInstanceEndpointAddress,
            ["DB_NAME"] = DataStack.DatabaseName,
            ["REDIS_HOST"] = data.Cache.AttrPrimaryEndPointAddress,
            ["REDIS_SECRET"] = data.CacheAuthToken.SecretArn,
            ["SIGNING_SECRET"] = signingKey.SecretArn,
            ["MAIL_SECRET"] = mail.SmtpCredentials.SecretArn,
            ["ASG_NAME"] = AutoScalingGroupName,
            ["HOOK_NAME"] = DrainHookName,
            ["API_PORT"] = NetworkStack.ApiPort.ToString(CultureInfo.InvariantCulture),
            ["STOP_SECONDS"] = (settings.ApiShutdownSeconds + 15).ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in values)
        {
            template = template.Replace($"@@{key}@@", value, StringComparison.Ordinal);
        }

        return template.Contains("@@", StringComparison.Ordinal)
            ? throw new InvalidOperationException("Fleet/user-data.sh has a placeholder FleetStack does not fill")
            : template;
    }
}
