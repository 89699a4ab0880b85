using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Presign.Lambda.Uploads;

/// <summary>
/// Signs S3 presigned POST forms whose policy admits exactly one object: this key, this Content-Type, 1 byte up
/// to the policy maximum, before the expiry, tagged as pending. Signing is local (no call to S3).
/// </summary>
public sealed class S3UploadFormSigner(IAmazonS3 s3, string bucketName) : IUploadFormSigner
{
    /// <summary>
    /// Every new object starts tagged <c>state=pending</c>; the bucket's lifecycle rule deletes pending objects
    /// after a day, and the API removes the tag when a post takes the image. The policy pins the exact tag set,
    /// so a client cannot upload without it (or with other tags).
    /// </summary>
    public const string PendingTagging =
        $"<Tagging><TagSet><Tag><Key>{UploadPolicy.PendingTagKey}</Key><Value>{UploadPolicy.PendingTagValue}</Value></Tag></TagSet></Tagging>";

    public async Task<SignedUploadForm> SignAsync(UploadKey key, DateTime expiresAtUtc, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var request = new CreatePresignedPostRequest
        {
            BucketName = bucketName,
            Key = key.Value,
            Expires = expiresAtUtc,
            Fields = new Dictionary<string, string>
            {
                ["Content-Type"] = key.Type.ContentType,
                ["tagging"] = PendingTagging,
            },
            Conditions =
            [
                S3PostCondition.ExactMatch("Content-Type", key.Type.ContentType),
                S3PostCondition.ExactMatch("tagging", PendingTagging),
                S3PostCondition.ContentLengthRange(1, UploadPolicy.MaxBytes),
            ],
        };

        // The SDK's method takes no token; signing is CPU work of microseconds, so there is nothing to cancel.
        cancellationToken.ThrowIfCancellationRequested();
        var response = await s3.CreatePresignedPostAsync(request);
        return new SignedUploadForm(response.Url, response.Fields);
    }
}
