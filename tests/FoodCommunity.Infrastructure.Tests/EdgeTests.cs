using Amazon.CDK.Assertions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>The CDN: CloudFront with origin access control, serving only what the API published.</summary>
public sealed class EdgeTests(SynthesizedApp app)
{
    private Template Edge => app.TemplateOf(app.Stacks.Edge);

    [Fact]
    public void Cdn_ReadsTheBucketThroughOriginAccessControl()
    {
        Edge.HasResourceProperties("AWS::CloudFront::OriginAccessControl", new Dictionary<string, object>
        {
            ["OriginAccessControlConfig"] = Match.ObjectLike(new Dictionary<string, object>
            {
                ["OriginAccessControlOriginType"] = "s3",
                ["SigningBehavior"] = "always",
                ["SigningProtocol"] = "sigv4",
            }),
        });
        var origin = app.Single(app.Stacks.Edge, "AWS::CloudFront::Distribution")["Properties"]!["DistributionConfig"]!["Origins"]![0]!;
        Assert.StartsWith("PhotoBucketAccess", (string)origin["OriginAccessControlId"]!["Fn::GetAtt"]![0]!, StringComparison.Ordinal);
        Assert.Equal("", (string?)origin["S3OriginConfig"]!["OriginAccessIdentity"]);
        Assert.Equal("redirect-to-https", (string?)app.Single(app.Stacks.Edge, "AWS::CloudFront::Distribution")["Properties"]!["DistributionConfig"]!["DefaultCacheBehavior"]!["ViewerProtocolPolicy"]);
    }

    [Fact]
    public void Cdn_MayReadOnlyRenditionsAPostTook_NeverRawUploads()
    {
        var statements = app.Single(app.Stacks.Edge, "AWS::S3::BucketPolicy")["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray();
        var read = Assert.Single(statements, s => (string?)s!["Effect"] == "Allow")!;
        Assert.Equal("cloudfront.amazonaws.com", (string?)read["Principal"]!["Service"]);
        Assert.Equal("s3:GetObject", (string?)read["Action"]);
        // Renditions only: an upload keeps the phone's EXIF (GPS included) and is never served.
        Assert.EndsWith("/images/*", TemplateText.Flatten(read["Resource"]), StringComparison.Ordinal);
        Assert.Equal("attached", (string?)read["Condition"]!["StringEquals"]!["s3:ExistingObjectTag/state"]);
        Assert.Contains("distribution/", TemplateText.Flatten(read["Condition"]!["StringEquals"]!["AWS:SourceArn"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Api_LoadsImagesFromTheCdn()
    {
        var settings = TemplateText.Flatten(app.Resources("AWS::SSM::Parameter")
            .Single(p => (string?)p.Resource["Properties"]!["Name"] == FleetStack.SettingsParameterName).Resource["Properties"]!["Value"]);
        Assert.Contains("Storage__PublicBaseUrl=https://{token}", settings, StringComparison.Ordinal);
        Assert.Contains(app.Json[app.Stacks.Edge.StackName]["Outputs"]!.AsObject(), o => o.Value!["Value"]!.ToJsonString().Contains("DomainName", StringComparison.Ordinal));
    }
}
