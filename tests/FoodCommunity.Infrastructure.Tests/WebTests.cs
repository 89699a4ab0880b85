using System.Diagnostics;
using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>The web client's hosting: a private bucket behind CloudFront, with the API and uploads on its origin.</summary>
public sealed class WebTests(SynthesizedApp app)
{
    private Template Web => app.TemplateOf(app.Stacks.Web);

    private JsonNode DistributionConfig => app.Single(app.Stacks.Web, "AWS::CloudFront::Distribution")["Properties"]!["DistributionConfig"]!;

    private JsonObject Behavior(string path) =>
        Assert.Single(DistributionConfig["CacheBehaviors"]!.AsArray(), b => (string?)b!["PathPattern"] == path)!.AsObject();

    private JsonNode OriginOf(JsonObject behavior) =>
        Assert.Single(DistributionConfig["Origins"]!.AsArray(), o => (string?)o!["Id"] == (string?)behavior["TargetOriginId"])!;

    [Fact]
    public void SiteBucket_IsPrivate_AndOnlyCloudFrontReadsIt_ThroughOriginAccessControl()
    {
        Web.HasResourceProperties("AWS::S3::Bucket", new Dictionary<string, object>
        {
            ["PublicAccessBlockConfiguration"] = new Dictionary<string, object>
            {
                ["BlockPublicAcls"] = true, ["BlockPublicPolicy"] = true, ["IgnorePublicAcls"] = true, ["RestrictPublicBuckets"] = true,
            },
        });
        Assert.Null(app.Single(app.Stacks.Web, "AWS::S3::Bucket")["Properties"]!["WebsiteConfiguration"]);
        Web.HasResourceProperties("AWS::CloudFront::OriginAccessControl", new Dictionary<string, object>
        {
            ["OriginAccessControlConfig"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["OriginAccessControlOriginType"] = "s3", ["SigningBehavior"] = "always", ["SigningProtocol"] = "sigv4",
            }),
        });
        var s3Origin = Assert.Single(DistributionConfig["Origins"]!.AsArray(), o => o!["S3OriginConfig"] is not null)!;
        Assert.NotNull(s3Origin["OriginAccessControlId"]);
        Assert.Equal("", (string?)s3Origin["S3OriginConfig"]!["OriginAccessIdentity"]);

        var statements = app.Single(app.Stacks.Web, "AWS::S3::BucketPolicy")["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        var allows = statements.Where(s => (string?)s!["Effect"] == "Allow" && s["Principal"]!["Service"] is not null).ToList();
        var read = Assert.Single(allows, s => (string?)s!["Principal"]!["Service"] == "cloudfront.amazonaws.com")!;
        Assert.Equal("s3:GetObject", (string?)read["Action"]);
        Assert.Contains("distribution/", TemplateText.Flatten(read["Condition"]!["StringEquals"]!["AWS:SourceArn"]), StringComparison.Ordinal);
        Assert.DoesNotContain(statements, s => s!["Principal"]?.ToJsonString() == "{\"AWS\":\"*\"}" && (string?)s["Effect"] == "Allow");
        // Plain HTTP is refused.
        Assert.Contains(statements, s => (string?)s!["Effect"] == "Deny" && s["Condition"]?["Bool"]?["aws:SecureTransport"]?.ToString() == "false");
    }

    [Fact]
    public void ResetPasswordPath_IsAnsweredWithIndexHtml_ByAViewerRequestFunction()
    {
        var function = app.Single(app.Stacks.Web, "AWS::CloudFront::Function")["Properties"]!;
        Assert.Equal("cloudfront-js-2.0", (string?)function["FunctionConfig"]!["Runtime"]);
        Assert.Equal("index.html", (string?)DistributionConfig["DefaultRootObject"]);
        var association = Assert.Single(DistributionConfig["DefaultCacheBehavior"]!["FunctionAssociations"]!.AsArray())!;
        Assert.Equal("viewer-request", (string?)association["EventType"]);

        // The code itself, run: the reset link's path (with its query kept apart by CloudFront) becomes
        // index.html; the hashed assets and the root are left alone.
        var code = (string)function["FunctionCode"]!;
        Assert.Equal("/index.html", RunFunction(code, "/reset-password"));
        Assert.Equal("/index.html", RunFunction(code, "/reset-password/"));
        Assert.Equal("/assets/index-abc.js", RunFunction(code, "/assets/index-abc.js"));
        Assert.Equal("/reset-password.png", RunFunction(code, "/reset-password.png"));
    }

    [Fact]
    public void EveryAnswer_CarriesTheSecurityHeaders()
    {
        var policy = app.Single(app.Stacks.Web, "AWS::CloudFront::ResponseHeadersPolicy")["Properties"]!["ResponseHeadersPolicyConfig"]!["SecurityHeadersConfig"]!;
        var csp = TemplateText.Flatten(policy["ContentSecurityPolicy"]!["ContentSecurityPolicy"]);
        foreach (var directive in new[] { "default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'" })
        {
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        }

        // No inline or third-party script: the refresh token in localStorage depends on it.
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("img-src 'self' blob: data: https://{token}", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self' https://{token} https://{token};", csp, StringComparison.Ordinal);
        var hsts = policy["StrictTransportSecurity"]!;
        Assert.True((int)hsts["AccessControlMaxAgeSec"]! >= 31_536_000);
        Assert.True((bool)hsts["IncludeSubdomains"]!);
        Assert.True((bool)policy["ContentTypeOptions"]!["Override"]!);
        Assert.Equal("DENY", (string?)policy["FrameOptions"]!["FrameOption"]);
        Assert.Equal("strict-origin-when-cross-origin", (string?)policy["ReferrerPolicy"]!["ReferrerPolicy"]);

        var policyId = DistributionConfig["DefaultCacheBehavior"]!["ResponseHeadersPolicyId"]!.ToJsonString();
        Assert.Contains("SecurityHeaders", policyId, StringComparison.Ordinal);
        Assert.All(DistributionConfig["CacheBehaviors"]!.AsArray(), b => Assert.Equal(policyId, b!["ResponseHeadersPolicyId"]!.ToJsonString()));
        Assert.Equal("redirect-to-https", (string?)DistributionConfig["DefaultCacheBehavior"]!["ViewerProtocolPolicy"]);
    }

    [Fact]
    public void Api_IsRoutedToTheAlbByTheApisDomain_Uncached_WithEveryMethod()
    {
        var api = Behavior("/api/*");
        var origin = OriginOf(api);
        Assert.Equal(app.Defaults.ApiDomain, (string?)origin["DomainName"]);
        Assert.Equal("https-only", (string?)origin["CustomOriginConfig"]!["OriginProtocolPolicy"]);
        Assert.Equal(7, api["AllowedMethods"]!.AsArray().Count);
        Assert.Equal("https-only", (string?)api["ViewerProtocolPolicy"]);

        var cachePolicy = Assert.Single(app.Resources("AWS::CloudFront::CachePolicy"), r => r.Stack == app.Stacks.Web.StackName).Resource["Properties"]!["CachePolicyConfig"]!;
        Assert.Equal(0, (int)cachePolicy["DefaultTTL"]!);
        Assert.True((int)cachePolicy["MaxTTL"]! <= 1);
        var key = cachePolicy["ParametersInCacheKeyAndForwardedToOrigin"]!;
        // A signed-in GET (the home feed) needs its token at the API.
        Assert.Equal("Authorization", (string?)key["HeadersConfig"]!["Headers"]![0]);
        Assert.Equal("all", (string?)key["QueryStringsConfig"]!["QueryStringBehavior"]);
        Assert.Contains("ApiPassThrough", api["CachePolicyId"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.NotNull(api["OriginRequestPolicyId"]);
    }

    [Fact]
    public void Uploads_IsRoutedToThePresignHttpApi()
    {
        var uploads = Behavior("/uploads");
        var domain = OriginOf(uploads)["DomainName"]!.ToJsonString();
        // Fn::Select 2 of the HTTP API's endpoint split at '/': its host name, imported from the Uploads stack.
        Assert.Contains("Fn::Select", domain, StringComparison.Ordinal);
        Assert.Contains("Fn::ImportValue", domain, StringComparison.Ordinal);
        Assert.Contains("UploadsApi", domain, StringComparison.Ordinal);
        Assert.Contains("POST", uploads["AllowedMethods"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(uploads["CachePolicyId"]!.ToJsonString(), Behavior("/api/*")["CachePolicyId"]!.ToJsonString());
    }

    [Fact]
    public void TheBuild_IsDeployed_WithAConfigJsonForThisOrigin_AndTheEdgeIsInvalidated()
    {
        var deployments = app.Resources("Custom::CDKBucketDeployment").Where(r => r.Stack == app.Stacks.Web.StackName).Select(r => r.Resource["Properties"]!).ToList();
        Assert.Equal(2, deployments.Count);
        var pages = Assert.Single(deployments, d => d["DistributionId"] is not null)!;
        Assert.Contains("/config.json", pages["DistributionPaths"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("no-cache", pages["SystemMetadata"]!.ToJsonString(), StringComparison.Ordinal);
        var assets = Assert.Single(deployments, d => d["DistributionId"] is null)!;
        Assert.Contains("immutable", assets["SystemMetadata"]!.ToJsonString(), StringComparison.Ordinal);

        // The config.json asset staged for it: the client's defaults for one origin.
        var config = Directory.EnumerateFiles(app.OutDir, "config.json", SearchOption.AllDirectories).Select(File.ReadAllText).Select(t => JsonNode.Parse(t)!).ToList();
        var written = Assert.Single(config)!;
        Assert.Equal("", (string?)written["apiBaseUrl"]);
        Assert.Equal("/uploads", (string?)written["uploadsUrl"]);
    }

    [Fact]
    public void WithoutAWebBuild_APlaceholderPageIsDeployed_WithAWarning()
    {
        // The test app is synthesized from an empty folder: no web/dist.
        Assert.True(app.Stacks.Web.UsesPlaceholderSite);
        var index = Directory.EnumerateFiles(app.OutDir, "index.html", SearchOption.AllDirectories).Select(File.ReadAllText).ToList();
        Assert.Contains(index, text => text.Contains("npm run build", StringComparison.Ordinal));
        Annotations.FromStack(app.Stacks.Web).HasWarning("*", Match.StringLikeRegexp("web/dist has no index.html"));
    }

    [Fact]
    public void PasswordResetMail_LinksToTheWebClientsDistribution()
    {
        var value = app.Resources("AWS::SSM::Parameter")
            .Single(p => (string?)p.Resource["Properties"]!["Name"] == FleetStack.SettingsParameterName).Resource["Properties"]!["Value"]!;
        var parts = value["Fn::Join"]![1]!.AsArray();
        var at = parts.Select((p, i) => (p, i)).Single(x => x.p is JsonValue && ((string)x.p!).EndsWith("Mail__PasswordResetUrl=https://", StringComparison.Ordinal)).i;
        var host = parts[at + 1]!.ToJsonString();
        Assert.Contains("FoodCommunity-Web:", host, StringComparison.Ordinal);
        Assert.Contains("Cdn", host, StringComparison.Ordinal);
        Assert.Contains("DomainName", host, StringComparison.Ordinal);
        Assert.StartsWith("/reset-password", (string)parts[at + 2]!, StringComparison.Ordinal);
    }

    /// <summary>The CloudFront Function's handler run in Node (which jsii needs anyway) on one request.</summary>
    private static string RunFunction(string code, string uri)
    {
        var script = $"{code}\nprocess.stdout.write(handler({{ request: {{ uri: {System.Text.Json.JsonSerializer.Serialize(uri)}, querystring: {{ token: {{ value: 'x' }} }} }} }}).uri);";
        using var node = Process.Start(new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true })!;
        node.StandardInput.Write(script);
        node.StandardInput.Close();
        var output = node.StandardOutput.ReadToEnd();
        node.WaitForExit();
        Assert.True(node.ExitCode == 0, node.StandardError.ReadToEnd());
        return output;
    }
}
