using System.Net;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Infrastructure.Storage;

/// <summary>An upload the processing function has turned into renditions: its key and its upright size.</summary>
public sealed record ProcessedImage(string Key, int Width, int Height);

/// <summary>Whether an image key a client names can be attached now.</summary>
public abstract record ImageCheck(string Key)
{
    public sealed record Ready(ProcessedImage Image) : ImageCheck(Image.Key);

    /// <summary>Uploaded, not processed yet: the client retries in a moment (409 with Retry-After).</summary>
    public sealed record Processing(string Key) : ImageCheck(Key);

    /// <summary>Not acceptable, in words for the client (400 naming the key).</summary>
    public sealed record Refused(string Key, string Problem) : ImageCheck(Key);
}

/// <summary>
/// Decides whether an image key a client names may be attached to its post or profile: issued to that user by the
/// upload function, and processed by the image function (which checked the bytes, decoded them and wrote the
/// renditions). The API never reads the upload itself: one GET of the small manifest the function wrote answers
/// it, and only when there is none yet a HEAD of the upload tells "still processing" from "never uploaded".
/// </summary>
public sealed class UploadedImages(IAmazonS3 s3, IOptions<StorageOptions> storage)
{
    /// <summary>What clients are told to wait before asking again; processing normally takes about a second.</summary>
    public const int RetryAfterSeconds = 1;

    /// <summary>Every key checked in parallel, in the order given.</summary>
    public async Task<IReadOnlyList<ImageCheck>> CheckAsync(IEnumerable<string> keys, Guid ownerId, CancellationToken cancellationToken) =>
        await Task.WhenAll(keys.Select(key => CheckAsync(key, ownerId, cancellationToken)));

    public async Task<ImageCheck> CheckAsync(string key, Guid ownerId, CancellationToken cancellationToken)
    {
        if (!UploadKey.TryParse(key, out var upload) || upload.OwnerId != ownerId.ToString())
        {
            return new ImageCheck.Refused(key, "This key was not issued to you by the upload service.");
        }

        var manifest = await ReadManifestAsync(upload, cancellationToken);
        if (manifest is not null)
        {
            return manifest.IsProcessed
                ? new ImageCheck.Ready(new ProcessedImage(key, manifest.Width!.Value, manifest.Height!.Value))
                : new ImageCheck.Refused(key, manifest.Reason ?? "The image could not be processed; upload another.");
        }

        return await ExistsAsync(key, cancellationToken)
            ? new ImageCheck.Processing(key)
            : new ImageCheck.Refused(key, "No uploaded file has this key; upload it first.");
    }

    /// <summary>
    /// Before the post or profile that takes the images is written: their renditions and manifests are re-tagged
    /// state=attached, so the bucket's lifecycle rule (which deletes objects still tagged state=pending) spares them,
    /// and the raw uploads, which are never served and may carry a location, are deleted. Should the write then fail,
    /// the renditions stay attached (a small leak) and the manifest still lets the key be posted again.
    /// </summary>
    public async Task MarkAttachedAsync(IEnumerable<ProcessedImage> images, CancellationToken cancellationToken)
    {
        var uploads = images.Select(image => (Upload: Parse(image.Key), image)).ToList();
        var tagged = uploads.SelectMany(u => ImageRenditions.For(u.image.Width, u.image.Height)
                .Select(r => ImageRenditions.RenditionKey(u.Upload, r.WidthClass))
                .Append(ImageRenditions.ManifestKey(u.Upload)))
            .Select(key => s3.PutObjectTaggingAsync(new PutObjectTaggingRequest
            {
                BucketName = storage.Value.BucketName,
                Key = key,
                Tagging = new Tagging { TagSet = [new Tag { Key = UploadPolicy.PendingTagKey, Value = UploadPolicy.AttachedTagValue }] },
            }, cancellationToken));
        await Task.WhenAll(tagged);
        if (uploads.Count > 0)
        {
            // Deleting an object that is already gone (a re-post of a deleted post's image) succeeds.
            await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = storage.Value.BucketName,
                Objects = uploads.Select(u => new KeyVersion { Key = u.Upload.Value }).ToList(),
                Quiet = true,
            }, cancellationToken);
        }
    }

    private async Task<ImageManifest?> ReadManifestAsync(UploadKey upload, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await s3.GetObjectAsync(storage.Value.BucketName, ImageRenditions.ManifestKey(upload), cancellationToken);
            return await JsonSerializer.DeserializeAsync(response.ResponseStream, StorageJsonContext.Default.ImageManifest, cancellationToken);
        }
        // Without s3:ListBucket, S3 answers a missing key with 403 rather than 404.
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return null;
        }
        // A manifest caught while it is written (s3rver serves a file as it grows; S3 never does): not there yet.
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            await s3.GetObjectMetadataAsync(storage.Value.BucketName, key, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return false;
        }
    }

    private static UploadKey Parse(string key) =>
        UploadKey.TryParse(key, out var upload) ? upload : throw new ArgumentException($"'{key}' is not an upload key.", nameof(key));
}
