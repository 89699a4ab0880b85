using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;
using Microsoft.Extensions.DependencyInjection;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>Puts objects into the test bucket where a client's presigned upload would have put them.</summary>
public static class TestImages
{
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

    public static async Task<string> UploadAsync(ApiFactory api, string ownerId, byte[]? bytes = null, string contentType = "image/jpeg", string? key = null)
    {
        key ??= UploadKey.CreateNew(ownerId, UploadPolicy.Jpeg, DateTimeOffset.UtcNow).Value;
        var s3 = api.Services.GetRequiredService<IAmazonS3>();
        await s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = api.Isolation.BucketName,
            Key = key,
            InputStream = new MemoryStream(bytes ?? Jpeg()),
            ContentType = contentType,
            UseChunkEncoding = false,
        }, TestContext.Current.CancellationToken);
        return key;
    }

    /// <summary>Waits until the object is gone from the class's bucket (the deletion worker runs in the background).</summary>
    public static async Task WaitUntilGoneAsync(ApiFactory api, string key, TimeSpan timeout)
    {
        var s3 = api.GetService<Amazon.S3.IAmazonS3>();
        var gone = await Eventually.AnswerAsync(async () =>
        {
            try
            {
                using var head = await s3.GetObjectAsync(api.Isolation.BucketName, key, TestContext.Current.CancellationToken);
                return false;
            }
            catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return true;
            }
        }, gone => gone, timeout);
        Assert.True(gone, $"{key} is still in the bucket");
    }
}
