using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>Decision 3: the upload path (bucket, presign Lambda, JWT authorizer).</summary>
public sealed class UploadsTests(SynthesizedApp app)
{
    private Template Uploads => app.TemplateOf(app.Stacks.Uploads);

    [Fact]
    public void PhotoBucket_BlocksAllPublicAccess_AndRefusesPlainHttp()
    {
        Uploads.HasResourceProperties("AWS::S3::Bucket", new Dictionary<string, object>
        {
            ["PublicAccessBlockConfiguration"] = new Dictionary<string, object>
            {
                ["BlockPublicAcls"] = true,
                ["BlockPublicPolicy"] = true,
                ["IgnorePublicAcls"] = true,
                ["RestrictPublicBuckets"] = true,
            },
            ["OwnershipControls"] = Match.AnyValue(),
        });
        var policy = app.Single(app.Stacks.Edge, "AWS::S3::BucketPolicy")["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.Contains(policy, s => (string?)s!["Effect"] == "Deny" && s["Condition"]!["Bool"]!["aws:SecureTransport"]!.ToString() == "false");
    }

    [Fact]
    public void PhotoBucket_TakesBrowserPostUploads_AndExpiresPendingOnes()
    {
        Uploads.HasResourceProperties("AWS::S3::Bucket", new Dictionary<string, object>
        {
            ["CorsConfiguration"] = new Dictionary<string, object>
            {
                ["CorsRules"] = new object[] { Match.ObjectLike(new Dictionary<string, object> { ["AllowedMethods"] = new[] { "POST" } }) },
            },
            ["LifecycleConfiguration"] = new Dictionary<string, object>
            {
                ["Rules"] = Match.ArrayWith([Match.ObjectLike(new Dictionary<string, object>
                {
                    ["Prefix"] = "uploads/",
                    ["TagFilters"] = new object[] { new Dictionary<string, object> { ["Key"] = "state", ["Value"] = "pending" } },
                    ["ExpirationInDays"] = 1,
                    ["Status"] = "Enabled",
                })]),
            },
        });
    }

    [Fact]
    public void PresignFunction_IsTheNativeAotZip_OnArm64()
    {
        Assert.False(app.Stacks.Uploads.UsesPlaceholderCode);
        Uploads.HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Runtime"] = "provided.al2023",
            ["Architectures"] = new[] { "arm64" },
            ["Handler"] = "bootstrap",
            ["Code"] = Match.ObjectLike(new Dictionary<string, object> { ["S3Key"] = Match.StringLikeRegexp(@"^[0-9a-f]{64}\.zip$") }),
        });
    }

    [Fact]
    public void PresignRole_CanOnlyCreateUploads_TaggedPending()
    {
        var statements = app.Single(app.Stacks.Uploads, "AWS::IAM::Policy")["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        Assert.Equal(new[] { "s3:PutObject", "s3:PutObjectTagging" }, statements.Select(s => (string)s!["Action"]!).Order().ToArray());
        Assert.All(statements, s => Assert.EndsWith("/uploads/*", TemplateText.Flatten(s!["Resource"]), StringComparison.Ordinal));
        var tagging = statements.Single(s => (string?)s!["Action"] == "s3:PutObjectTagging")!;
        Assert.Equal("pending", (string?)tagging["Condition"]!["StringEquals"]!["s3:RequestObjectTag/state"]);
        Assert.Equal("[\"state\"]", tagging["Condition"]!["ForAllValues:StringEquals"]!["s3:RequestObjectTagKeys"]!.ToJsonString());
    }

    [Fact]
    public void UploadsRoute_AcceptsOnlyTheApisTokens_WithTheUploadsScope()
    {
        Uploads.HasResourceProperties("AWS::ApiGatewayV2::Authorizer", new Dictionary<string, object>
        {
            ["AuthorizerType"] = "JWT",
            ["IdentitySource"] = new[] { "$request.header.Authorization" },
            ["JwtConfiguration"] = new Dictionary<string, object>
            {
                ["Issuer"] = $"https://{app.Defaults.ApiDomain}",
                ["Audience"] = new[] { "foodcommunity-api" },
            },
        });
        Uploads.HasResourceProperties("AWS::ApiGatewayV2::Route", new Dictionary<string, object>
        {
            ["RouteKey"] = "POST /uploads",
            ["AuthorizationType"] = "JWT",
            ["AuthorizationScopes"] = new[] { "uploads" },
        });
    }

    [Fact]
    public void UploadsRoute_IsThrottled()
    {
        Uploads.HasResourceProperties("AWS::ApiGatewayV2::Stage", new Dictionary<string, object>
        {
            ["StageName"] = "$default",
            ["DefaultRouteSettings"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["ThrottlingRateLimit"] = app.Defaults.UploadsRateLimit,
                ["ThrottlingBurstLimit"] = app.Defaults.UploadsBurstLimit,
            }),
        });
    }
}
