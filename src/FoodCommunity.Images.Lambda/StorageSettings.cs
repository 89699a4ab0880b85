using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace FoodCommunity.Images.Lambda;

/// <summary>
/// The "Storage" settings the API and the presign function use too (<c>Storage__BucketName</c>, <c>Storage__ServiceUrl</c>,
/// <c>Storage__ForcePathStyle</c>, <c>Storage__Region</c>), so one environment configures all three. Read from environment
/// variables by name rather than through Microsoft.Extensions.Configuration, which this function does not otherwise need.
/// </summary>
public sealed record StorageSettings(string BucketName, Uri? ServiceUrl, bool ForcePathStyle, string? Region)
{
    public static StorageSettings From(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string? Setting(string name) => settings($"Storage__{name}");
        var bucket = Setting("BucketName");
        if (string.IsNullOrWhiteSpace(bucket))
        {
            throw new InvalidOperationException("Storage:BucketName is required (environment variable Storage__BucketName).");
        }

        Uri? serviceUrl = null;
        if (!string.IsNullOrWhiteSpace(Setting("ServiceUrl"))
            && (!Uri.TryCreate(Setting("ServiceUrl"), UriKind.Absolute, out serviceUrl) || serviceUrl.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"Storage:ServiceUrl must be an absolute http(s) URL, not '{Setting("ServiceUrl")}'.");
        }

        var forcePathStyle = Setting("ForcePathStyle");
        return new StorageSettings(
            bucket,
            serviceUrl,
            string.Equals(forcePathStyle, "true", StringComparison.OrdinalIgnoreCase),
            string.IsNullOrWhiteSpace(Setting("Region")) ? null : Setting("Region"));
    }

    /// <summary>Credentials and region come from the SDK's default chain: the AWS_* variables Lambda sets, or the local ones.</summary>
    public AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config { ForcePathStyle = ForcePathStyle };
        if (Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }

        if (ServiceUrl is not null)
        {
            config.ServiceURL = ServiceUrl.ToString();
            config.UseHttp = ServiceUrl.Scheme == Uri.UriSchemeHttp;
            // S3 look-alikes do not understand the flexible checksums the SDK sends to AWS by default.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return new AmazonS3Client(config);
    }
}
