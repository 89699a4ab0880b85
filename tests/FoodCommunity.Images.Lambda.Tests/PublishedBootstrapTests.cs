using System.Diagnostics;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Images.Lambda.Tests;

/// <summary>
/// The packaged Native AOT bootstrap (with the libvips beside it), run by scripts/package-images.sh --verify: as the
/// local host, under qemu for arm64, it processes a 12 MP phone photo uploaded to a bucket of its own.
/// </summary>
public sealed class PublishedBootstrapTests(TestBucket bucket) : IClassFixture<TestBucket>
{
    [Fact]
    public async Task ThePackagedBootstrap_ProcessesAnUpload()
    {
        var bootstrap = Environment.GetEnvironmentVariable("IMAGES_BOOTSTRAP");
        if (string.IsNullOrEmpty(bootstrap))
        {
            Assert.Skip("Set IMAGES_BOOTSTRAP to a packaged bootstrap (scripts/package-images.sh ARCH --verify does).");
        }

        var key = await bucket.UploadAsync(TestPhotos.Jpeg(4000, 3000, orientation: 6), UploadPolicy.Jpeg);
        var launcher = Environment.GetEnvironmentVariable("IMAGES_BOOTSTRAP_LAUNCHER");
        var start = new ProcessStartInfo(string.IsNullOrEmpty(launcher) ? bootstrap : launcher)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(launcher))
        {
            start.ArgumentList.Add(bootstrap);
        }

        start.Environment["Storage__BucketName"] = bucket.Name;
        start.Environment["Processing__PollIntervalMilliseconds"] = "200";
        start.Environment.Remove("AWS_LAMBDA_RUNTIME_API");
        using var process = Process.Start(start)!;
        var output = Task.WhenAll(process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken), process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        var clock = Stopwatch.StartNew();
        try
        {
            // Under qemu the emulated first image takes seconds, not the ~0.3 s of a Graviton core.
            while (!(await bucket.ObjectsOfAsync(key)).Any(o => o.Key == ImageRenditions.ManifestKey(key)) && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var printed = string.Join("\n", await output);
        var objects = (await bucket.ObjectsOfAsync(key)).Select(o => o.Key).ToList();
        Assert.True(objects.Contains(ImageRenditions.ManifestKey(key)), printed);
        Assert.Equal(ImageRenditions.For(3000, 4000).Count + 1, objects.Count);
        TestContext.Current.SendDiagnosticMessage($"bootstrap processed the 12 MP photo {clock.Elapsed.TotalSeconds:F1} s after start");
    }
}
