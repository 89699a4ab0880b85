using FoodCommunity.Images.Lambda.Processing;

namespace FoodCommunity.Images.Lambda;

/// <summary>Wires the function once per process; the Lambda host, the local host and the tests call this.</summary>
public static class ImagesComposition
{
    /// <param name="settings">A setting by its environment variable name (<c>Storage__BucketName</c>...).</param>
    public static ImagesFunction CreateFunction(Func<string, string?> settings)
    {
        var storage = StorageSettings.From(settings);
        ImageProcessor.ConfigureLibvips();
        return new ImagesFunction(new UploadHandler(new S3ImageStore(storage.CreateClient(), storage.BucketName)), storage.BucketName);
    }
}
