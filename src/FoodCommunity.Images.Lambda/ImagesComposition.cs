using FoodCommunity.Images.Lambda.Local;
using FoodCommunity.Images.Lambda.Processing;

namespace FoodCommunity.Images.Lambda;

/// <summary>Wires the function once per process; the Lambda host, the local host and the tests call this.</summary>
public static class ImagesComposition
{
    /// <param name="settings">A setting by its environment variable name (<c>Storage__BucketName</c>...).</param>
    public static ImagesFunction CreateFunction(Func<string, string?> settings)
    {
        var storage = StorageSettings.From(settings);
        return CreateFunction(storage, storage.CreateClient());
    }

    /// <summary>The local host: the same function, fed by polling the bucket (see <see cref="BucketPoller"/>).</summary>
    public static BucketPoller CreateLocalPoller(Func<string, string?> settings, TimeSpan interval)
    {
        var storage = StorageSettings.From(settings);
        var s3 = storage.CreateClient();
        return new BucketPoller(CreateFunction(storage, s3), s3, storage.BucketName, interval);
    }

    private static ImagesFunction CreateFunction(StorageSettings storage, Amazon.S3.IAmazonS3 s3)
    {
        ImageProcessor.ConfigureLibvips();
        return new ImagesFunction(new UploadHandler(new S3ImageStore(s3, storage.BucketName)), storage.BucketName);
    }
}
