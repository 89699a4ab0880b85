using System.Text.Json;
using Amazon.S3.Model;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Events;
using FoodCommunity.Images.Lambda.Processing;

namespace FoodCommunity.Images.Lambda.Tests;

public sealed class UploadHandlerTests(TestBucket bucket) : IClassFixture<TestBucket>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private UploadHandler Handler() => new(new S3ImageStore(bucket.S3, bucket.Name));

    [Fact]
    public async Task AnUpload_GetsItsRenditionsAndAManifest_PublicAndLongCached()
    {
        var key = await bucket.UploadAsync(TestPhotos.Jpeg(1600, 1200, orientation: 6), UploadPolicy.Jpeg);

        Assert.Equal(UploadResult.Processed, await Handler().HandleAsync(key.Value, Ct));

        var manifest = await ReadManifestAsync(key);
        Assert.True(manifest.IsProcessed);
        Assert.Equal((1200, 1600), (manifest.Width, manifest.Height));
        Assert.Equal(ImageRenditions.For(1200, 1600), manifest.Renditions);
        foreach (var rendition in manifest.Renditions!)
        {
            var metadata = await bucket.S3.GetObjectMetadataAsync(bucket.Name, ImageRenditions.RenditionKey(key, rendition.WidthClass), Ct);
            Assert.Equal(ImageRenditions.ContentType, metadata.Headers.ContentType);
            Assert.Equal(ImageRenditions.CacheControl, metadata.Headers.CacheControl);
        }
    }

    [Fact]
    public async Task ARedeliveredEvent_ChangesNothing()
    {
        var key = await bucket.UploadAsync(TestPhotos.Jpeg(1300, 1000), UploadPolicy.Jpeg);
        await Handler().HandleAsync(key.Value, Ct);
        var first = await bucket.ObjectsOfAsync(key);

        Assert.Equal(UploadResult.AlreadyDone, await Handler().HandleAsync(key.Value, Ct));

        var second = await bucket.ObjectsOfAsync(key);
        Assert.Equal(ImageRenditions.For(1300, 1000).Count + 1, first.Count);
        Assert.Equal(first.Select(o => (o.Key, o.ETag, o.LastModified)), second.Select(o => (o.Key, o.ETag, o.LastModified)));
    }

    [Fact]
    public async Task TwoConcurrentDeliveries_LeaveOneSetOfRenditions()
    {
        var key = await bucket.UploadAsync(TestPhotos.Jpeg(2400, 1600), UploadPolicy.Jpeg);

        var results = await Task.WhenAll(Task.Run(() => Handler().HandleAsync(key.Value, Ct), Ct), Task.Run(() => Handler().HandleAsync(key.Value, Ct), Ct));

        Assert.Contains(UploadResult.Processed, results);
        var objects = await bucket.ObjectsOfAsync(key);
        var expected = ImageRenditions.For(2400, 1600).Select(r => ImageRenditions.RenditionKey(key, r.WidthClass)).Append(ImageRenditions.ManifestKey(key));
        Assert.Equal(expected.Order(StringComparer.Ordinal), objects.Select(o => o.Key).Order(StringComparer.Ordinal));
        Assert.True((await ReadManifestAsync(key)).IsProcessed);
    }

    [Fact]
    public async Task ARefusedUpload_GetsARefusedManifest_AndNoRenditions()
    {
        var key = await bucket.UploadAsync(TestPhotos.Png(300, 200), UploadPolicy.Jpeg);

        Assert.Equal(UploadResult.Refused, await Handler().HandleAsync(key.Value, Ct));

        var manifest = await ReadManifestAsync(key);
        Assert.Equal(ImageManifest.Refused, manifest.Status);
        Assert.Contains("not a image/jpeg", manifest.Reason, StringComparison.Ordinal);
        Assert.Single(await bucket.ObjectsOfAsync(key));
    }

    [Fact]
    public async Task AnUploadWhoseStoredTypeDiffersFromItsKey_IsRefused()
    {
        var key = await bucket.UploadAsync(TestPhotos.Jpeg(300, 200), UploadPolicy.Jpeg, contentType: "image/png");

        Assert.Equal(UploadResult.Refused, await Handler().HandleAsync(key.Value, Ct));
    }

    [Fact]
    public async Task AMissingUpload_OrAnotherPrefix_IsNothingToDo()
    {
        var missing = UploadKey.CreateNew(Guid.CreateVersion7().ToString(), UploadPolicy.Jpeg, DateTimeOffset.UtcNow);

        Assert.Equal(UploadResult.Missing, await Handler().HandleAsync(missing.Value, Ct));
        Assert.Equal(UploadResult.NotAnUpload, await Handler().HandleAsync("images/x/manifest.json", Ct));
    }

    [Fact]
    public async Task TheFunction_TakesAnSqsBatchOfS3Events_AndRetriesOnlyTheMessagesThatFailed()
    {
        var key = await bucket.UploadAsync(TestPhotos.Jpeg(800, 600), UploadPolicy.Jpeg);
        var function = ImagesComposition.CreateFunction(bucket.Setting);
        // As S3 sends it to SQS (event version 2.1), the key URL-encoded; a test event and another bucket's event are skipped.
        var body = """
            {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"ap-northeast-2","eventTime":"2026-12-01T07:00:00.000Z",
            "eventName":"ObjectCreated:Post","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"BUCKET","arn":"arn:aws:s3:::BUCKET"},
            "object":{"key":"KEY","size":1234,"eTag":"0123456789abcdef","sequencer":"0A1B2C3D4E5F678901"}}}]}
            """.Replace("BUCKET", bucket.Name, StringComparison.Ordinal).Replace("KEY", Uri.EscapeDataString(key.Value), StringComparison.Ordinal);
        var sqsEvent = JsonSerializer.SerializeToUtf8Bytes(new SqsEvent([
            new SqsMessage("m-1", body),
            new SqsMessage("m-2", """{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-12-01T07:00:00.000Z","Bucket":"b"}"""),
            new SqsMessage("m-3", "not json"),
        ]), ImagesJsonContext.Default.SqsEvent);

        var response = JsonSerializer.Deserialize(await function.InvokeAsync(sqsEvent, Ct), ImagesJsonContext.Default.SqsBatchResponse)!;

        Assert.Equal(["m-3"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.True((await ReadManifestAsync(key)).IsProcessed);
    }

    private async Task<ImageManifest> ReadManifestAsync(UploadKey key)
    {
        using var response = await bucket.S3.GetObjectAsync(new GetObjectRequest { BucketName = bucket.Name, Key = ImageRenditions.ManifestKey(key) }, Ct);
        return (await JsonSerializer.DeserializeAsync(response.ResponseStream, ImagesJsonContext.Default.ImageManifest, Ct))!;
    }
}
