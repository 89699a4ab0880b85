using FoodCommunity.Images.Lambda.Processing;

namespace FoodCommunity.Images.Lambda.Local;

/// <summary>Runs <see cref="BucketPoller"/> on the bucket the environment names, until Ctrl+C.</summary>
public static class LocalHost
{
    private const int DefaultIntervalMilliseconds = 500;

    public static async Task<int> RunAsync(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var storage = StorageSettings.From(settings);
        var interval = int.TryParse(settings("Processing__PollIntervalMilliseconds"), out var ms) && ms > 0 ? ms : DefaultIntervalMilliseconds;
        var s3 = storage.CreateClient();
        ImageProcessor.ConfigureLibvips();
        var function = new ImagesFunction(new UploadHandler(new S3ImageStore(s3, storage.BucketName)), storage.BucketName);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        await Console.Out.WriteLineAsync($"Processing uploads of s3://{storage.BucketName}/ every {interval} ms (Ctrl+C stops)");
        await new BucketPoller(function, s3, storage.BucketName, TimeSpan.FromMilliseconds(interval)).RunAsync(stop.Token);
        return 0;
    }
}
