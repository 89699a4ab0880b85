using Amazon.CDK;
using Amazon.CDK.AWS.CloudFront;
using Amazon.CDK.AWS.CloudFront.Origins;
using Amazon.CDK.AWS.S3;
using Amazon.CDK.AWS.S3.Deployment;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>
/// The reference web client (web/): a private bucket read only by CloudFront (origin access control),
/// one distribution serving the static files, <c>/api/*</c> from the API's ALB and <c>/uploads</c> from
/// the presign HTTP API, so the client calls everything on its own origin (no CORS) with the
/// defaults of its config.json.
/// </summary>
public sealed class WebStack : Stack
{
    /// <summary>The client's runtime settings (web/README.md, "Configuration"), written beside index.html.</summary>
    public static readonly Dictionary<string, object> ClientConfig = new()
    {
        ["apiBaseUrl"] = "",
        ["uploadsUrl"] = "/uploads",
        ["pageSize"] = 20,
    };

    /// <summary>
    /// The password-reset mail links to this path (Mail:PasswordResetUrl); the client moves it into its
    /// hash route, so CloudFront answers it with index.html. Every other route is in the hash.
    /// </summary>
    public const string SpaRoutesCode = """
        function handler(event) {
          var request = event.request;
          if (request.uri === '/reset-password' || request.uri === '/reset-password/') {
            request.uri = '/index.html';
          }
          return request;
        }
        """;

    public Bucket SiteBucket { get; }

    public Distribution Distribution { get; }

    /// <summary>True when web/dist was missing at synthesis: a page saying so is deployed instead.</summary>
    public bool UsesPlaceholderSite { get; }

    public WebStack(Construct scope, string id, Settings settings, string repoRoot, UploadsStack uploads, EdgeStack edge, IStackProps props)
        : base(scope, id, props)
    {
        SiteBucket = new Bucket(this, "Site", new BucketProps
        {
            BlockPublicAccess = BlockPublicAccess.BLOCK_ALL,
            ObjectOwnership = ObjectOwnership.BUCKET_OWNER_ENFORCED,
            Encryption = BucketEncryption.S3_MANAGED,
            EnforceSSL = true,
            // Every file comes from the build; a redeploy recreates them all.
            RemovalPolicy = RemovalPolicy.DESTROY,
        });

        var spaRoutes = new Function(this, "SpaRoutes", new FunctionProps
        {
            Comment = "Answers /reset-password with /index.html",
            Runtime = FunctionRuntime.JS_2_0,
            Code = FunctionCode.FromInline(SpaRoutesCode),
        });

        var headers = new ResponseHeadersPolicy(this, "SecurityHeaders", new ResponseHeadersPolicyProps
        {
            Comment = "FoodCommunity web client: CSP, HSTS and the usual hardening headers",
            SecurityHeadersBehavior = new ResponseSecurityHeadersBehavior
            {
                // The build's <meta> CSP allows any https image and connect origin; the deployment knows them exactly.
                ContentSecurityPolicy = new ResponseHeadersContentSecurityPolicy
                {
                    ContentSecurityPolicy = string.Join("; ",
                        "default-src 'self'",
                        "script-src 'self'",
                        "style-src 'self'",
                        $"img-src 'self' blob: data: https://{edge.Cdn.DistributionDomainName}",
                        // The API and POST /uploads are on this origin; the photo goes straight to the bucket,
                        // at the regional or the global virtual-hosted name of the presigned form's URL.
                        $"connect-src 'self' https://{uploads.Bucket.BucketRegionalDomainName} https://{uploads.Bucket.BucketDomainName}",
                        "object-src 'none'",
                        "base-uri 'none'",
                        "form-action 'self'",
                        "frame-ancestors 'none'"),
                    Override = true,
                },
                StrictTransportSecurity = new ResponseHeadersStrictTransportSecurity
                {
                    AccessControlMaxAge = Duration.Days(730),
                    IncludeSubdomains = true,
                    Preload = true,
                    Override = true,
                },
                ContentTypeOptions = new ResponseHeadersContentTypeOptions { Override = true },
                FrameOptions = new ResponseHeadersFrameOptions { FrameOption = HeadersFrameOption.DENY, Override = true },
                ReferrerPolicy = new ResponseHeadersReferrerPolicy { ReferrerPolicy = HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, Override = true },
            },
            CustomHeadersBehavior = new ResponseCustomHeadersBehavior
            {
                CustomHeaders =
                [
                    new ResponseCustomHeader { Header = "Permissions-Policy", Value = "camera=(), microphone=(), geolocation=(), payment=()", Override = true },
                ],
            },
        });

        // Requests to the API and the presign function: never cached (DefaultTtl 0; only an explicit max-age
        // of the API could keep one for a second), with Authorization in the key so CloudFront passes it on
        // for GETs too, and every other viewer header, the query and the body forwarded.
        var passThrough = new CachePolicy(this, "ApiPassThrough", new CachePolicyProps
        {
            Comment = "No caching; Authorization reaches the origin",
            DefaultTtl = Duration.Seconds(0),
            MinTtl = Duration.Seconds(0),
            MaxTtl = Duration.Seconds(1),
            HeaderBehavior = CacheHeaderBehavior.AllowList("Authorization"),
            QueryStringBehavior = CacheQueryStringBehavior.All(),
            CookieBehavior = CacheCookieBehavior.None(),
            EnableAcceptEncodingGzip = true,
            EnableAcceptEncodingBrotli = true,
        });
        BehaviorOptions PassThrough(IOrigin origin) => new()
        {
            Origin = origin,
            ViewerProtocolPolicy = ViewerProtocolPolicy.HTTPS_ONLY,
            AllowedMethods = AllowedMethods.ALLOW_ALL,
            CachePolicy = passThrough,
            OriginRequestPolicy = OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            ResponseHeadersPolicy = headers,
            Compress = false,
        };

        // The ALB by the API's domain: its certificate is for that name (FleetStack's 443 listener).
        var api = new HttpOrigin(settings.ApiDomain, new HttpOriginProps
        {
            ProtocolPolicy = OriginProtocolPolicy.HTTPS_ONLY,
            OriginSslProtocols = [OriginSslPolicy.TLS_V1_2],
            ReadTimeout = Duration.Seconds(30),
        });
        // https://{id}.execute-api.{region}.amazonaws.com: the host of the HTTP API's endpoint.
        var presign = new HttpOrigin(Fn.Select(2, Fn.Split("/", uploads.UploadsApi.ApiEndpoint)), new HttpOriginProps
        {
            ProtocolPolicy = OriginProtocolPolicy.HTTPS_ONLY,
            OriginSslProtocols = [OriginSslPolicy.TLS_V1_2],
        });

        Distribution = new Distribution(this, "Cdn", new DistributionProps
        {
            Comment = "FoodCommunity web client",
            PriceClass = PriceClass.PRICE_CLASS_200,
            HttpVersion = HttpVersion.HTTP2_AND_3,
            MinimumProtocolVersion = SecurityPolicyProtocol.TLS_V1_2_2021,
            DefaultRootObject = "index.html",
            DefaultBehavior = new BehaviorOptions
            {
                Origin = S3BucketOrigin.WithOriginAccessControl(SiteBucket),
                ViewerProtocolPolicy = ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                AllowedMethods = AllowedMethods.ALLOW_GET_HEAD,
                CachePolicy = CachePolicy.CACHING_OPTIMIZED,
                ResponseHeadersPolicy = headers,
                Compress = true,
                FunctionAssociations =
                [
                    new FunctionAssociation { Function = spaRoutes, EventType = FunctionEventType.VIEWER_REQUEST },
                ],
            },
            AdditionalBehaviors = new Dictionary<string, IBehaviorOptions>
            {
                ["/api/*"] = PassThrough(api),
                ["/.well-known/*"] = PassThrough(api),
                ["/uploads"] = PassThrough(presign),
            },
        });

        var dist = Path.Combine(repoRoot, "web", "dist");
        UsesPlaceholderSite = !File.Exists(Path.Combine(dist, "index.html"));
        var site = UsesPlaceholderSite ? Path.Combine(AppContext.BaseDirectory, "placeholder-web") : dist;
        if (UsesPlaceholderSite)
        {
            Annotations.Of(this).AddWarningV2("foodcommunity:web-placeholder",
                $"{dist} has no index.html: a page asking for the build is deployed. Run npm ci && npm run build in web/ before deploying.");
        }

        // Hashed files (assets/) never change: cached for a year. index.html and config.json are
        // revalidated on every load, so a deployment shows at once; the invalidation clears the edge.
        var assets = new BucketDeployment(this, "DeployAssets", new BucketDeploymentProps
        {
            DestinationBucket = SiteBucket,
            Sources = [Source.Asset(site, new Amazon.CDK.AWS.S3.Assets.AssetOptions { Exclude = ["*.map", "index.html", "config.json"] })],
            CacheControl = [CacheControl.FromString("public, max-age=31536000, immutable")],
            Prune = false,
        });
        var pages = new BucketDeployment(this, "DeployPages", new BucketDeploymentProps
        {
            DestinationBucket = SiteBucket,
            Sources =
            [
                Source.Asset(site, new Amazon.CDK.AWS.S3.Assets.AssetOptions { Exclude = ["*", "!index.html"] }),
                Source.JsonData("config.json", ClientConfig),
            ],
            CacheControl = [CacheControl.NoCache()],
            Prune = false,
            Distribution = Distribution,
            DistributionPaths = ["/", "/index.html", "/config.json", "/reset-password"],
        });
        // index.html names the new assets: they must be there first.
        pages.Node.AddDependency(assets);

        _ = new CfnOutput(this, "WebUrl", new CfnOutputProps { Value = $"https://{Distribution.DistributionDomainName}/", Description = "The web client; point Mail:PasswordResetUrl at its /reset-password" });
        _ = new CfnOutput(this, "WebBucketName", new CfnOutputProps { Value = SiteBucket.BucketName });
    }
}
