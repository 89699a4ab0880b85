using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Configuration;

namespace FoodCommunity.Presign.Lambda.Uploads;

/// <summary>
/// The "Storage" settings the API uses too (<c>Storage__BucketName</c>, <c>Storage__ServiceUrl</c>,
/// <c>Storage__ForcePathStyle</c>, <c>Storage__Region</c>), so one environment configures both.
/// </summary>
public sealed record StorageSettings(string BucketName, Uri? ServiceUrl, bool ForcePathStyle, string? Region)
{
    public static StorageSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Storage");
        var bucket = section["BucketName"];
        if (string.IsNullOrWhiteSpace(bucket))
        {
            throw new InvalidOperationException("Storage:BucketName is required (environment variable Storage__BucketName).");
        }

        Uri? serviceUrl = null;
        if (!string.IsNullOrWhiteSpace(section["ServiceUrl"])
            && (!Uri.TryCreate(section["ServiceUrl"], UriKind.Absolute, out serviceUrl) || serviceUrl.Scheme is not ("http" or "https")))
        {
            throw new InvalidOperationException($"Storage:ServiceUrl must be an absolute http(s) URL, not '{section["ServiceUrl"]}'.");
        }

        var forcePathStyle = section["ForcePathStyle"];
        return new StorageSettings(
            bucket,
            serviceUrl,
            string.Equals(forcePathStyle, "true", StringComparison.OrdinalIgnoreCase),
            string.IsNullOrWhiteSpace(section["Region"]) ? null : section["Region"]);
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
            // The form URL goes to browsers: an http endpoint (LocalStack, s3rver) must stay http.
            config.UseHttp = ServiceUrl.Scheme == Uri.UriSchemeHttp;
            // S3 look-alikes do not understand the flexible checksums the SDK sends to AWS by default.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }

        return new AmazonS3Client(config);
    }
}
