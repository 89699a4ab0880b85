using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Images.Lambda.Tests;

/// <summary>
/// A fresh bucket on the S3 endpoint scripts/services.sh prints (s3rver), for one test class; the function is
/// configured from the same variable names the hosts read.
/// </summary>
public sealed class TestBucket : IAsyncLifetime
{
    public string Name { get; } = $"fc-images-{Guid.NewGuid():N}"[..30];

    public IAmazonS3 S3 { get; private set; } = null!;

    public string? Setting(string name) => name == "Storage__BucketName" ? Name : Environment.GetEnvironmentVariable(name);

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("Storage__ServiceUrl")))
        {
            throw new InvalidOperationException(
                "These tests need an S3 endpoint: start one with `eval \"$(bash scripts/services.sh up)\"` (it sets Storage__ServiceUrl and AWS_*).");
        }

        S3 = StorageSettings.From(Setting).CreateClient();
        await S3.PutBucketAsync(Name);
    }

    public ValueTask DisposeAsync()
    {
        S3.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Puts an object where a presigned upload would have, tagged state=pending as the form makes it.</summary>
    public async Task<UploadKey> UploadAsync(byte[] bytes, AllowedImageType type, string? contentType = null)
    {
        var key = UploadKey.CreateNew(Guid.CreateVersion7().ToString(), type, DateTimeOffset.UtcNow);
        await S3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Name,
            Key = key.Value,
            InputStream = new MemoryStream(bytes),
            ContentType = contentType ?? type.ContentType,
            UseChunkEncoding = false,
            TagSet = [new Tag { Key = UploadPolicy.PendingTagKey, Value = UploadPolicy.PendingTagValue }],
        }, TestContext.Current.CancellationToken);
        return key;
    }

    /// <summary>Every object under the upload's images/ folder, with its ETag and last change.</summary>
    public async Task<List<S3Object>> ObjectsOfAsync(UploadKey key)
    {
        var listed = await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = ImageRenditions.FolderOf(key) + "/" }, TestContext.Current.CancellationToken);
        return listed.S3Objects ?? [];
    }
}
