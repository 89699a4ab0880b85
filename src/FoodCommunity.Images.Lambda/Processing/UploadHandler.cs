using System.Text.Json;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Images.Lambda.Processing;

/// <summary>What happened to one upload event.</summary>
public enum UploadResult
{
    /// <summary>Renditions and a processed manifest were written.</summary>
    Processed,

    /// <summary>A refused manifest was written: the API answers 400 naming the key.</summary>
    Refused,

    /// <summary>A manifest was there already: a redelivered or duplicate event, nothing written.</summary>
    AlreadyDone,

    /// <summary>The upload is gone (taken by a post and deleted, or expired) and was never processed: nothing to do.</summary>
    Missing,

    /// <summary>Not an upload key (another prefix, a key the presign function never issues): ignored.</summary>
    NotAnUpload,
}

/// <summary>
/// Processes one uploaded object: reads it, runs <see cref="ImageProcessor"/>, writes the renditions and then the
/// manifest. Idempotent: the output keys follow from the upload key and the manifest is written last, so a
/// redelivered event finds the manifest and stops, and two concurrent deliveries write the same keys with the
/// same bytes (one set). S3 failures throw, so the event returns to the queue and is retried.
/// </summary>
public sealed class UploadHandler(IImageStore store)
{
    public async Task<UploadResult> HandleAsync(string key, CancellationToken cancellationToken)
    {
        if (!UploadKey.TryParse(key, out var upload))
        {
            return UploadResult.NotAnUpload;
        }

        var manifestKey = ImageRenditions.ManifestKey(upload);
        if (await store.ExistsAsync(manifestKey, cancellationToken))
        {
            return UploadResult.AlreadyDone;
        }

        var stored = await store.ReadAsync(key, UploadPolicy.MaxBytes, cancellationToken);
        if (stored is null)
        {
            return UploadResult.Missing;
        }

        var outcome = Check(stored, upload.Type) ?? ImageProcessor.Process(stored.Bytes!, upload.Type);
        if (outcome is ProcessingOutcome.Processed processed)
        {
            await Task.WhenAll(processed.Renditions.Select(r => store.WriteAsync(
                ImageRenditions.RenditionKey(upload, r.Rendition.WidthClass), r.Bytes, ImageRenditions.ContentType, ImageRenditions.CacheControl, cancellationToken)));
            await WriteManifestAsync(manifestKey, ImageManifest.ForProcessed(processed.Width, processed.Height), cancellationToken);
            return UploadResult.Processed;
        }

        await WriteManifestAsync(manifestKey, ImageManifest.ForRefused(((ProcessingOutcome.Refused)outcome).Reason), cancellationToken);
        return UploadResult.Refused;
    }

    /// <summary>What the signed form should have prevented, checked again: the function trusts no upload.</summary>
    private static ProcessingOutcome.Refused? Check(StoredObject stored, AllowedImageType declared)
    {
        if (stored.Bytes is null || !UploadPolicy.IsAllowedLength(stored.Length))
        {
            return stored.Length == 0
                ? new ProcessingOutcome.Refused("The uploaded file is empty.")
                : new ProcessingOutcome.Refused($"The uploaded file has {stored.Length} bytes; the limit is {UploadPolicy.MaxBytes} bytes.");
        }

        return string.Equals(stored.ContentType, declared.ContentType, StringComparison.OrdinalIgnoreCase)
            ? null
            : new ProcessingOutcome.Refused($"The uploaded file is not a {declared.ContentType} image.");
    }

    private Task WriteManifestAsync(string key, ImageManifest manifest, CancellationToken cancellationToken) =>
        // Short-lived in caches: it is read by the API, not by clients, and a refusal is final anyway.
        store.WriteAsync(key, JsonSerializer.SerializeToUtf8Bytes(manifest, ImagesJsonContext.Default.ImageManifest),
            ImageRenditions.ManifestContentType, "no-cache", cancellationToken);
}
