using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure.Storage;

/// <summary>The "Storage" section: the photo bucket and how clients reach its objects.</summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string SectionName = "Storage";

    [Required(ErrorMessage = "Storage:BucketName is required.")]
    [RegularExpression("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", ErrorMessage = "Storage:BucketName is not a valid S3 bucket name.")]
    public string BucketName { get; set; } = "";

    /// <summary>Empty on AWS (the SDK resolves the regional endpoint); set for LocalStack or s3rver.</summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Empty means the SDK's own resolution (AWS_REGION, the instance profile).</summary>
    public string? Region { get; set; }

    /// <summary>Path-style URLs (endpoint/bucket/key) for S3-compatible endpoints without virtual hosts.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Prefix of the URLs clients load images from: the CDN in front of the bucket.</summary>
    [Required(ErrorMessage = "Storage:PublicBaseUrl is required (the CDN or bucket URL images are served from).")]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>How often each instance looks for images of deleted posts to remove from the bucket.</summary>
    [Range(1, 3600)]
    public int ImageDeletionIntervalSeconds { get; set; } = 30;

    /// <summary>How long a deleted post's images wait before deletion, so that posting them again in the meantime keeps them.</summary>
    [Range(0, 86_400)]
    public int ImageDeletionDelaySeconds { get; set; } = 60;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ServiceUrl) && !IsHttpUrl(ServiceUrl))
        {
            yield return new ValidationResult("Storage:ServiceUrl must be an absolute http(s) URL.", [nameof(ServiceUrl)]);
        }

        if (!string.IsNullOrWhiteSpace(PublicBaseUrl) && !IsHttpUrl(PublicBaseUrl))
        {
            yield return new ValidationResult("Storage:PublicBaseUrl must be an absolute http(s) URL.", [nameof(PublicBaseUrl)]);
        }
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
