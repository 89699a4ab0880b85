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
        var poller = ImagesComposition.CreateLocalPoller(settings, TimeSpan.FromMilliseconds(interval));
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
        await Console.Out.WriteLineAsync($"Processing uploads of s3://{storage.BucketName}/ every {interval} ms (Ctrl+C stops)");
        await poller.RunAsync(stop.Token);
        return 0;
    }
}
