using Amazon.CDK;
using Amazon.CDK.AWS.CloudFront;
using Amazon.CDK.AWS.CloudFront.Origins;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.S3;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>The CDN box: CloudFront in front of the photo bucket, the only reader of it.</summary>
public sealed class EdgeStack : Stack
{
    public Distribution Cdn { get; }

    /// <summary>The API's Storage:PublicBaseUrl.</summary>
    public string PublicBaseUrl { get; }

    public EdgeStack(Construct scope, string id, UploadsStack uploads, IStackProps props) : base(scope, id, props)
    {
        var bucket = uploads.Bucket;

        // Origin access control: CloudFront signs its S3 requests; the bucket stays private to everyone else.
        var accessControl = new CfnOriginAccessControl(this, "PhotoBucketAccess", new CfnOriginAccessControlProps
        {
            OriginAccessControlConfig = new CfnOriginAccessControl.OriginAccessControlConfigProperty
            {
                Name = $"{StackName}-photos",
                OriginAccessControlOriginType = "s3",
                SigningBehavior = "always",
                SigningProtocol = "sigv4",
            },
        });

        // CloudFront: images are immutable (a key never changes), so cache them as long as CloudFront allows.
        Cdn = new Distribution(this, "Cdn", new DistributionProps
        {
            Comment = "FoodCommunity image renditions",
            PriceClass = PriceClass.PRICE_CLASS_200,
            HttpVersion = HttpVersion.HTTP2_AND_3,
            DefaultBehavior = new BehaviorOptions
            {
                Origin = S3BucketOrigin.WithBucketDefaults(bucket),
                ViewerProtocolPolicy = ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                AllowedMethods = AllowedMethods.ALLOW_GET_HEAD,
                CachePolicy = CachePolicy.CACHING_OPTIMIZED,
                Compress = false,
            },
        });
        var cfnCdn = (CfnDistribution)Cdn.Node.DefaultChild!;
        cfnCdn.AddPropertyOverride("DistributionConfig.Origins.0.OriginAccessControlId", accessControl.AttrId);
        cfnCdn.AddPropertyOverride("DistributionConfig.Origins.0.S3OriginConfig.OriginAccessIdentity", "");

        // The bucket's one policy. CloudFront may read only what the API published: renditions a post took
        // (under images/, re-tagged state=attached), never an upload (which keeps the phone's EXIF) nor a pending rendition.
        var policy = new CfnBucketPolicy(this, "PhotoBucketPolicy", new CfnBucketPolicyProps
        {
            Bucket = bucket.BucketName,
            PolicyDocument = new PolicyDocument(new PolicyDocumentProps
            {
                Statements =
                [
                    new PolicyStatement(new PolicyStatementProps
                    {
                        Sid = "DenyPlainHttp",
                        Effect = Effect.DENY,
                        Principals = [new AnyPrincipal()],
                        Actions = ["s3:*"],
                        Resources = [bucket.BucketArn, bucket.ArnForObjects("*")],
                        Conditions = new Dictionary<string, object> { ["Bool"] = new Dictionary<string, object> { ["aws:SecureTransport"] = "false" } },
                    }),
                    new PolicyStatement(new PolicyStatementProps
                    {
                        Sid = "CloudFrontReadsPublishedImages",
                        Effect = Effect.ALLOW,
                        Principals = [new ServicePrincipal("cloudfront.amazonaws.com")],
                        Actions = ["s3:GetObject"],
                        Resources = [bucket.ArnForObjects(UploadsStack.ImagesPrefix + "*")],
                        Conditions = new Dictionary<string, object>
                        {
                            ["StringEquals"] = new Dictionary<string, object>
                            {
                                ["AWS:SourceArn"] = Arn.Format(new ArnComponents
                                {
                                    Service = "cloudfront",
                                    Region = "",
                                    Resource = "distribution",
                                    ResourceName = Cdn.DistributionId,
                                }, this),
                                [$"s3:ExistingObjectTag/{UploadsStack.StateTag}"] = "attached",
                            },
                        },
                    }),
                ],
            }),
        });
        _ = policy;

        PublicBaseUrl = $"https://{Cdn.DistributionDomainName}";
        _ = new CfnOutput(this, "StoragePublicBaseUrl", new CfnOutputProps { Value = PublicBaseUrl });
    }
}
