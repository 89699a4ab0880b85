using Amazon.CDK;
using Amazon.CDK.AWS.Apigatewayv2;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.Logs;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AwsApigatewayv2Authorizers;
using Amazon.CDK.AwsApigatewayv2Integrations;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>Decision 3's upload path: S3 bucket, the presign Lambda and the API Gateway JWT authorizer in front of it.</summary>
public sealed class UploadsStack : Stack
{
    /// <summary>Every presigned form pins this tag (UploadPolicy.PendingTagKey/Value); the API re-tags attached images.</summary>
    public const string StateTag = "state";
    public const string UploadsPrefix = "uploads/";

    /// <summary>The image function's renditions and manifests (docs/images.md): the only objects CloudFront serves.</summary>
    public const string ImagesPrefix = "images/";

    public Bucket Bucket { get; }
    public Function PresignFunction { get; }
    public HttpApi UploadsApi { get; }
    public HttpStage UploadsStage { get; }

    /// <summary>True when the Native AOT zip was missing and a placeholder that fails every cold start was used.</summary>
    public bool UsesPlaceholderCode { get; }

    public UploadsStack(Construct scope, string id, Settings settings, IStackProps props) : base(scope, id, props)
    {
        // S3: private photo bucket; browsers POST presigned forms straight to it; uploads nobody posted expire.
        // Its bucket policy (TLS only, CloudFront's read) lives in EdgeStack, since it names the distribution.
        Bucket = new Bucket(this, "PhotoBucket", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            Encryption = BucketEncryption.S3_MANAGED,
            BucketKeyEnabled = true,
            RemovalPolicy = RemovalPolicy.RETAIN,
            Cors =
            [
                new CorsRule
                {
                    AllowedMethods = [HttpMethods.POST],
                    AllowedOrigins = ["*"],
                    AllowedHeaders = ["*"],
                    ExposedHeaders = ["ETag", "Location"],
                    MaxAge = 3000,
                },
            ],
            LifecycleRules =
            [
                new LifecycleRule
                {
                    Id = "expire-pending-uploads",
                    Prefix = UploadsPrefix,
                    TagFilters = new Dictionary<string, object> { [StateTag] = "pending" },
                    Expiration = Duration.Days(1),
                },
                // Renditions of uploads never posted: the function writes them state=pending, a post re-tags them attached.
                // A day longer than the upload's, so an upload posted on its last day still finds its renditions.
                new LifecycleRule
                {
                    Id = "expire-pending-images",
                    Prefix = ImagesPrefix,
                    TagFilters = new Dictionary<string, object> { [StateTag] = "pending" },
                    Expiration = Duration.Days(2),
                },
                new LifecycleRule { Id = "abort-incomplete-multipart", AbortIncompleteMultipartUploadAfter = Duration.Days(1) },
            ],
        });

        // Lambda (presign): Native AOT on arm64; a presigned POST acts with this role's permissions.
        UsesPlaceholderCode = !File.Exists(settings.PresignZip);
        var code = UsesPlaceholderCode
            ? Code.FromAsset(Path.Combine(AppContext.BaseDirectory, "placeholder-presign"))
            : Code.FromAsset(settings.PresignZip);
        PresignFunction = new Function(this, "PresignFunction", new FunctionProps
        {
            Description = "Issues presigned S3 POST forms for photo uploads (POST /uploads)",
            Runtime = Runtime.PROVIDED_AL2023,
            Architecture = Architecture.ARM_64,
            Handler = "bootstrap",
            Code = code,
            // Signing is a millisecond of local CPU; 256 MB buys a fast cold start.
            MemorySize = 256,
            Timeout = Duration.Seconds(5),
            Environment = new Dictionary<string, string> { ["Storage__BucketName"] = Bucket.BucketName },
            LogGroup = new LogGroup(this, "PresignLogs", new LogGroupProps { Retention = RetentionDays.TWO_WEEKS, RemovalPolicy = RemovalPolicy.DESTROY }),
        });
        if (UsesPlaceholderCode)
        {
            Annotations.Of(PresignFunction).AddWarningV2("foodcommunity:presign-placeholder",
                $"{settings.PresignZip} does not exist: the function gets a placeholder that fails every start. Run scripts/package-presign.sh linux-arm64 before deploying.");
        }

        PresignFunction.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:PutObject"],
            Resources = [Bucket.ArnForObjects(UploadsPrefix + "*")],
        }));
        // S3 authorizes a PutObject/POST that carries tags as s3:PutObjectTagging too (docs/presign.md);
        // the condition allows exactly the one tag every form pins, so this grants no other tagging.
        PresignFunction.AddToRolePolicy(new PolicyStatement(new PolicyStatementProps
        {
            Actions = ["s3:PutObjectTagging"],
            Resources = [Bucket.ArnForObjects(UploadsPrefix + "*")],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { [$"s3:RequestObjectTag/{StateTag}"] = "pending" },
                ["ForAllValues:StringEquals"] = new Dictionary<string, object> { ["s3:RequestObjectTagKeys"] = new[] { StateTag } },
            },
        }));

        // API Gateway JWT authorizer (design §6): invalid tokens are refused before the Lambda runs or bills.
        var authorizer = new HttpJwtAuthorizer("FoodCommunityJwt", settings.ApiIssuer, new HttpJwtAuthorizerProps
        {
            JwtAudience = ["foodcommunity-api"],
            IdentitySource = ["$request.header.Authorization"],
        });
        UploadsApi = new HttpApi(this, "UploadsApi", new HttpApiProps
        {
            Description = "POST /uploads: presigned upload forms for the FoodCommunity API's users",
            CreateDefaultStage = false,
            CorsPreflight = new CorsPreflightOptions
            {
                AllowOrigins = ["*"],
                AllowMethods = [CorsHttpMethod.POST],
                AllowHeaders = ["authorization", "content-type"],
                MaxAge = Duration.Minutes(10),
            },
        });
        UploadsApi.AddRoutes(new AddRoutesOptions
        {
            Path = "/uploads",
            Methods = [Amazon.CDK.AWS.Apigatewayv2.HttpMethod.POST],
            Integration = new HttpLambdaIntegration("Presign", PresignFunction, new HttpLambdaIntegrationProps
            {
                PayloadFormatVersion = PayloadFormatVersion.VERSION_2_0,
            }),
            Authorizer = authorizer,
            AuthorizationScopes = ["uploads"],
        });
        // Route throttling: a burst of forms costs Lambda money and S3 PUTs; normal peaks are a few per second.
        UploadsStage = new HttpStage(this, "DefaultStage", new HttpStageProps
        {
            HttpApi = UploadsApi,
            StageName = "$default",
            AutoDeploy = true,
            Throttle = new ThrottleSettings { RateLimit = settings.UploadsRateLimit, BurstLimit = settings.UploadsBurstLimit },
        });

        _ = new CfnOutput(this, "UploadsEndpoint", new CfnOutputProps { Value = $"{UploadsStage.Url}uploads" });
        _ = new CfnOutput(this, "PhotoBucketName", new CfnOutputProps { Value = Bucket.BucketName });
    }
}
