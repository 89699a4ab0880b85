using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;
using Microsoft.Extensions.DependencyInjection;
using NetVips;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>Puts objects into the test bucket where a client's presigned upload would have put them.</summary>
public static class TestImages
{
    private static readonly Lazy<byte[]> DefaultPhoto = new(() => Photo(640, 480));

    /// <summary>A real JPEG photo (textured, so it encodes like one), made with libvips.</summary>
    public static byte[] Photo(int width, int height)
    {
        using var colour = Image.Black(width, height).NewFromImage(200, 120, 40);
        using var noise = Image.Gaussnoise(width, height, sigma: 12);
        using var textured = (colour + (noise - 128)).Cast(Enums.BandFormat.Uchar);
        return textured.JpegsaveBuffer(q: 90);
    }

    /// <summary>Bytes that start like a JPEG and are not one: for the size and format refusals.</summary>
    public static byte[] Jpeg(int size = 2048)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xE0;
        return bytes;
    }

    /// <summary>
    /// Uploads (a real photo unless told otherwise) and, unless <paramref name="waitForProcessing"/> is false, waits until
    /// the image function running beside the API (see <see cref="ApiFactory"/>) has processed or refused it.
    /// </summary>
    public static async Task<string> UploadAsync(
        ApiFactory api, string ownerId, byte[]? bytes = null, string contentType = "image/jpeg", string? key = null, bool waitForProcessing = true)
    {
        key ??= UploadKey.CreateNew(ownerId, UploadPolicy.Jpeg, DateTimeOffset.UtcNow).Value;
        var s3 = api.Services.GetRequiredService<IAmazonS3>();
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = api.Isolation.BucketName,
            Key = key,
            InputStream = new MemoryStream(bytes ?? DefaultPhoto.Value),
            ContentType = contentType,
            UseChunkEncoding = false,
            TagSet = [new Tag { Key = UploadPolicy.PendingTagKey, Value = UploadPolicy.PendingTagValue }],
        }, TestContext.Current.CancellationToken);
        if (waitForProcessing && UploadKey.TryParse(key, out var upload))
        {
            var manifest = ImageRenditions.ManifestKey(upload);
            // Readable as a whole, not only listed: s3rver can answer before the body is all written.
            string? lastRefusal = null;
            var processed = await Eventually.AnswerAsync(
                async () => (lastRefusal = await ManifestUnreadableBecauseAsync(s3, api.Isolation.BucketName, manifest)) is null,
                done => done, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50));
            if (!processed)
            {
                Assert.Fail($"The image function did not process {key} within 30 s. The last read of its manifest: {lastRefusal}. " +
                    $"In the bucket: {await DescribeAsync(s3, api.Isolation.BucketName, upload)}. {api.ImageProcessingState}.");
            }
        }

        return key;
    }

    /// <summary>
    /// Waits until every object of the upload (the upload itself, its renditions and its manifest) is gone
    /// from the class's bucket: the deletion worker runs in the background.
    /// </summary>
    public static async Task WaitUntilGoneAsync(ApiFactory api, string key, TimeSpan timeout)
    {
        var s3 = api.GetService<IAmazonS3>();
        var objects = UploadKey.TryParse(key, out var upload) ? ImageRenditions.AllObjectKeys(upload).ToList() : [key];
        var left = await Eventually.AnswerAsync(
            async () => (await Task.WhenAll(objects.Select(o => ExistsAsync(s3, api.Isolation.BucketName, o)))).Count(exists => exists),
            left => left == 0, timeout);
        Assert.True(left == 0, $"{left} object(s) of {key} are still in the bucket");
    }

    /// <summary>Null when the manifest reads whole as JSON; otherwise why not (for the failure message).</summary>
    private static async Task<string?> ManifestUnreadableBecauseAsync(IAmazonS3 s3, string bucket, string key)
    {
        try
        {
            using var response = await s3.GetObjectAsync(bucket, key, TestContext.Current.CancellationToken);
            using var document = await System.Text.Json.JsonDocument.ParseAsync(response.ResponseStream, cancellationToken: TestContext.Current.CancellationToken);
            return null;
        }
        // A body cut short or still being written: no JSON yet, or a checksum that does not match.
        catch (Exception e) when (e is AmazonS3Exception { StatusCode: System.Net.HttpStatusCode.NotFound } or System.Text.Json.JsonException
            or Amazon.Runtime.AmazonClientException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>Each object the upload can have led to, with its size, type and ETag, or "missing".</summary>
    private static async Task<string> DescribeAsync(IAmazonS3 s3, string bucket, UploadKey upload)
    {
        var described = new List<string>();
        foreach (var key in ImageRenditions.AllObjectKeys(upload))
        {
            try
            {
                var head = await s3.GetObjectMetadataAsync(bucket, key, TestContext.Current.CancellationToken);
                described.Add($"{key} ({head.ContentLength} bytes, {head.Headers.ContentType}, ETag {head.ETag})");
            }
            catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                described.Add($"{key} missing");
            }
        }

        return string.Join("; ", described);
    }

    public static async Task<bool> ExistsAsync(IAmazonS3 s3, string bucket, string key)
    {
        try
        {
            await s3.GetObjectMetadataAsync(bucket, key, TestContext.Current.CancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
