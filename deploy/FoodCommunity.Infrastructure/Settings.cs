using Amazon.CDK;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>
/// What differs between deployments, read from CDK context (<c>-c key=value</c> or cdk.json), with
/// the design's values as defaults: docs/deploy.md lists each key.
/// </summary>
public sealed record Settings
{
    public string Region { get; init; } = "ap-northeast-2";

    /// <summary>The API's public host name: its HTTPS URL is the tokens' issuer and the JWT authorizer's.</summary>
    public string ApiDomain { get; init; } = "api.foodcommunity.example";

    /// <summary>ACM certificate for <see cref="ApiDomain"/> in <see cref="Region"/>, for the ALB's 443 listener.</summary>
    public string CertificateArn { get; init; } = "arn:aws:acm:ap-northeast-2:000000000000:certificate/replace-me";

    /// <summary>
    /// The domain the API's mail comes from, an SES identity (Easy DKIM): by default <see cref="ApiDomain"/>
    /// without its first label, so api.example.com sends as no-reply@example.com.
    /// </summary>
    public string MailDomain { get; init; } = "foodcommunity.example";

    public string AlarmEmail { get; init; } = "ops@foodcommunity.example";

    /// <summary>Decision 1: two on-demand nodes carry the base load, Spot everything above it.</summary>
    public int OnDemandBase { get; init; } = 2;

    /// <summary>The plan's 2 on-demand + 10 Spot at most.</summary>
    public int MaxNodes { get; init; } = 12;

    /// <summary>docs/capacity.md: one t4g.medium carries 350 requests/s at 70% CPU.</summary>
    public int RequestsPerNodePerSecond { get; init; } = 350;

    public string DbInstanceClass { get; init; } = "m5.large";

    public int DbStorageGiB { get; init; } = 200;

    /// <summary>MySQL's default max_connections for the class: {DBInstanceClassMemory/12582880}, 682 for 8 GiB.</summary>
    public int DbMaxConnections { get; init; } = 682;

    public bool DbMultiAz { get; init; }

    public string CacheNodeType { get; init; } = "cache.t4g.small";

    /// <summary>One NAT instance: it carries only low-volume egress that may wait (see docs/capacity.md).</summary>
    public int NatInstances { get; init; } = 1;

    /// <summary>The presign function's Native AOT zip (scripts/package-presign.sh linux-arm64).</summary>
    public string PresignZip { get; init; } = "artifacts/presign/linux-arm64/presign-linux-arm64.zip";

    /// <summary>The image function's Native AOT zip with libvips beside it (scripts/package-images.sh linux-arm64).</summary>
    public string ImagesZip { get; init; } = "artifacts/images/linux-arm64/images-linux-arm64.zip";

    /// <summary>The image function's reserved concurrency: a budget guard (docs/images.md); the queue absorbs bursts.</summary>
    public int ImagesConcurrency { get; init; } = 20;

    /// <summary>Steady rate and burst of POST /uploads across all callers.</summary>
    public int UploadsRateLimit { get; init; } = 50;

    public int UploadsBurstLimit { get; init; } = 100;

    /// <summary>The API's Http:ShutdownTimeoutSeconds: how long it drains on SIGTERM.</summary>
    public int ApiShutdownSeconds { get; init; } = 30;

    public string ApiIssuer => $"https://{ApiDomain}";

    public static Settings FromContext(Construct scope, string repoRoot)
    {
        var defaults = new Settings();
        string Text(string key, string fallback) => scope.Node.TryGetContext(key)?.ToString() is { Length: > 0 } v ? v : fallback;
        int Number(string key, int fallback) => int.Parse(Text(key, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture)), System.Globalization.CultureInfo.InvariantCulture);
        bool Flag(string key, bool fallback) => bool.Parse(Text(key, fallback ? "true" : "false"));

        string RepoPath(string key, string fallback) => Text(key, fallback) is var p && Path.IsPathRooted(p) ? p : Path.Combine(repoRoot, p);
        var apiDomain = Text("apiDomain", defaults.ApiDomain);
        return new Settings
        {
            Region = Text("region", defaults.Region),
            ApiDomain = apiDomain,
            MailDomain = Text("mailDomain", ParentDomain(apiDomain)),
            CertificateArn = Text("certificateArn", defaults.CertificateArn),
            AlarmEmail = Text("alarmEmail", defaults.AlarmEmail),
            OnDemandBase = Number("onDemandBase", defaults.OnDemandBase),
            MaxNodes = Number("maxNodes", defaults.MaxNodes),
            RequestsPerNodePerSecond = Number("requestsPerNodePerSecond", defaults.RequestsPerNodePerSecond),
            DbInstanceClass = Text("dbInstanceClass", defaults.DbInstanceClass),
            DbStorageGiB = Number("dbStorageGiB", defaults.DbStorageGiB),
            DbMaxConnections = Number("dbMaxConnections", defaults.DbMaxConnections),
            DbMultiAz = Flag("dbMultiAz", defaults.DbMultiAz),
            CacheNodeType = Text("cacheNodeType", defaults.CacheNodeType),
            NatInstances = Number("natInstances", defaults.NatInstances),
            PresignZip = RepoPath("presignZip", defaults.PresignZip),
            ImagesZip = RepoPath("imagesZip", defaults.ImagesZip),
            ImagesConcurrency = Number("imagesConcurrency", defaults.ImagesConcurrency),
            UploadsRateLimit = Number("uploadsRateLimit", defaults.UploadsRateLimit),
            UploadsBurstLimit = Number("uploadsBurstLimit", defaults.UploadsBurstLimit),
            ApiShutdownSeconds = Number("apiShutdownSeconds", defaults.ApiShutdownSeconds),
        };
    }

    /// <summary>api.example.com: example.com; a name of two labels or fewer is its own parent.</summary>
    private static string ParentDomain(string domain) =>
        domain.Split('.') is { Length: > 2 } labels ? string.Join('.', labels[1..]) : domain;
}
