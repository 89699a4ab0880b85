using System.Text.Json;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Events;
using FoodCommunity.Images.Lambda.Processing;

namespace FoodCommunity.Images.Lambda.Tests;

/// <summary>Which messages of a batch go back to the queue (and so, in the end, to the dead-letter queue).</summary>
public sealed class ImagesFunctionTests
{
    private const string Bucket = "photos";

    [Fact]
    public async Task WhenS3Fails_EveryMessageOfTheBatchIsRetried()
    {
        var function = new ImagesFunction(new UploadHandler(new FailingStore()), Bucket);

        var response = await function.HandleAsync(new SqsEvent([Message("a"), Message("b")]), TestContext.Current.CancellationToken);

        Assert.Equal(["a", "b"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task WhenTheDeadlineComes_TheMessagesNotDoneAreRetried()
    {
        using var deadline = new CancellationTokenSource();
        var function = new ImagesFunction(new UploadHandler(new FailingStore(cancelOnFirstCall: deadline)), Bucket);

        var response = await function.HandleAsync(new SqsEvent([Message("a"), Message("b"), Message("c")]), deadline.Token);

        Assert.Equal(["a", "b", "c"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task EventsOfAnotherBucket_OrOutsideUploads_AreSkipped()
    {
        var store = new FailingStore();
        var function = new ImagesFunction(new UploadHandler(store), Bucket);

        var response = await function.HandleAsync(
            new SqsEvent([Message("other", bucket: "someone-elses"), Message("rendition", key: "images/u/2026/12/x/w320.webp")]),
            TestContext.Current.CancellationToken);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(0, store.Calls);
    }

    private static SqsMessage Message(string id, string bucket = Bucket, string? key = null)
    {
        key ??= UploadKey.CreateNew("u-1", UploadPolicy.Jpeg, DateTimeOffset.UtcNow).Value;
        var s3Event = new S3Event([new S3EventRecord("ObjectCreated:Put", new S3EventEntity(new S3EventBucket(bucket), new S3EventObject(key, 10)))]);
        return new SqsMessage(id, JsonSerializer.Serialize(s3Event, ImagesJsonContext.Default.S3Event));
    }

    /// <summary>S3 unavailable: every call throws, as the SDK does once its own retries are spent.</summary>
    private sealed class FailingStore(CancellationTokenSource? cancelOnFirstCall = null) : IImageStore
    {
        public int Calls { get; private set; }

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken)
        {
            Calls++;
            if (cancelOnFirstCall is not null)
            {
                cancelOnFirstCall.Cancel();
                cancellationToken.ThrowIfCancellationRequested();
            }

            throw new HttpRequestException("Connection refused (s3.ap-northeast-2.amazonaws.com:443)");
        }

        public Task<StoredObject?> ReadAsync(string key, long maxBytes, CancellationToken cancellationToken) => throw new HttpRequestException("unreachable");

        public Task WriteAsync(string key, byte[] bytes, string contentType, string cacheControl, CancellationToken cancellationToken) => throw new HttpRequestException("unreachable");
    }
}
