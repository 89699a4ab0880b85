using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Storage;

/// <summary>
/// Decides whether an image key a client names may be attached to its post or profile: issued to
/// that user by the upload function, present in the bucket, within the upload policy's size, and
/// really an image of its type judged from its first bytes (a client controls the declared type).
/// One ranged GET per key answers all of it.
/// </summary>
public sealed class UploadedImages(IAmazonS3 s3, IOptions<StorageOptions> storage)
{
    /// <summary>Null when the key is acceptable; otherwise what is wrong, in words for the client.</summary>
    public async Task<string?> DescribeProblemAsync(string key, Guid ownerId, CancellationToken cancellationToken)
    {
        if (!UploadKey.TryParse(key, out var upload) || upload.OwnerId != ownerId.ToString())
        {
            return "This key was not issued to you by the upload service.";
        }

        GetObjectResponse response;
        try
        {
            response = await s3.GetObjectAsync(new GetObjectRequest
            {
                BucketName = storage.Value.BucketName,
                Key = key,
                ByteRange = new ByteRange(0, ImageSignature.HeaderLength - 1),
            }, cancellationToken);
        }
        // Without s3:ListBucket, S3 answers a missing key with 403 rather than 404.
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return "No uploaded file has this key; upload it first.";
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return "The uploaded file is empty.";
        }

        using (response)
        {
            var size = TotalSize(response);
            if (!UploadPolicy.IsAllowedLength(size))
            {
                return $"The uploaded file has {size} bytes; the limit is {UploadPolicy.MaxBytes} bytes.";
            }

            var header = new byte[ImageSignature.HeaderLength];
            var read = await response.ResponseStream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            if (ImageSignature.Detect(header.AsSpan(0, read)) != upload.Type
                || !string.Equals(response.Headers.ContentType, upload.Type.ContentType, StringComparison.OrdinalIgnoreCase))
            {
                return $"The uploaded file is not a {upload.Type.ContentType} image.";
            }
        }

        return null;
    }

    /// <summary>
    /// Re-tags the objects state=attached before the post or profile that takes them is written, so the
    /// bucket's lifecycle rule (which deletes uploads still tagged state=pending after a day) spares them.
    /// Should the write then fail, an object stays untagged: a small leak, never a lost image.
    /// </summary>
    public Task MarkAttachedAsync(IEnumerable<string> keys, CancellationToken cancellationToken) =>
        Task.WhenAll(keys.Select(key => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
        {
            BucketName = storage.Value.BucketName,
            Key = key,
            Tagging = new Tagging { TagSet = [new Tag { Key = UploadPolicy.PendingTagKey, Value = UploadPolicy.AttachedTagValue }] },
        }, cancellationToken)));

    /// <summary>A ranged GET answers "bytes 0-11/TOTAL"; a file shorter than the range comes back whole.</summary>
    private static long TotalSize(GetObjectResponse response)
    {
        var range = response.ContentRange;
        var slash = range?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(range.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var total)
            ? total
            : response.ContentLength;
    }
}
