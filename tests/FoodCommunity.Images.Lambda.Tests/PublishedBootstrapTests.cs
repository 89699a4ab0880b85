using System.Diagnostics;
using System.Text.Json;
using FoodCommunity.Domain.Uploads;
using FoodCommunity.Images.Lambda.Events;
using FoodCommunity.Presign.Lambda.Tests;

namespace FoodCommunity.Images.Lambda.Tests;

/// <summary>
/// The packaged Native AOT bootstrap (libvips beside it), run by scripts/package-images.sh --verify (under qemu for
/// arm64) as Lambda runs it: against an emulator of the Runtime API, with SQS batches of S3 events.
/// </summary>
public sealed class PublishedBootstrapTests(TestBucket bucket) : IClassFixture<TestBucket>
{
    /// <summary>Under qemu a 12 MP photo takes seconds, not the ~0.4 s of a 1 GB Graviton function.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ThePackagedBootstrap_ProcessesAnSqsBatch_ReportsABrokenEvent_AndSkipsARedelivery()
    {
        var bootstrap = BootstrapOrSkip();
        var key = await bucket.UploadAsync(TestPhotos.Jpeg(4000, 3000, orientation: 6), UploadPolicy.Jpeg);
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var batch = SqsEventFor(key);
        // The invocation gets the test's whole allowance: under qemu on a busy machine the photo can take
        // longer than the emulator's default 30 s, and the function then (rightly) reports it unfinished.
        runtime.Enqueue(batch, Within);
        using var process = Start(bootstrap, runtime, bucket.Name);
        var output = Drain(process);
        var clock = Stopwatch.StartNew();
        try
        {
            var first = await runtime.NextReportAsync(Within);
            var elapsed = clock.Elapsed;
            runtime.Enqueue("[1, 2"u8.ToArray());
            var broken = await runtime.NextReportAsync(Within);
            runtime.Enqueue(batch, Within);
            var redelivered = await runtime.NextReportAsync(Within);

            Assert.True(first.Kind == "response", first.Body);
            Assert.Equal("""{"batchItemFailures":[]}""", first.Body);
            Assert.Equal("error", broken.Kind);
            Assert.Equal("response", redelivered.Kind);
            var objects = (await bucket.ObjectsOfAsync(key)).Select(o => o.Key).ToList();
            Assert.Equal(ImageRenditions.For(3000, 4000).Count + 1, objects.Count);
            Assert.Contains(ImageRenditions.ManifestKey(key), objects);
            TestContext.Current.SendDiagnosticMessage($"process start to the first batch's response (one 12 MP photo): {elapsed.TotalSeconds:F2} s");
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            TestContext.Current.SendDiagnosticMessage(string.Join("\n", await output));
        }
    }

    [Fact]
    public async Task ThePackagedBootstrap_WithoutABucket_ReportsAnInitError_AndExits()
    {
        var bootstrap = BootstrapOrSkip();
        await using var runtime = await FakeRuntimeApi.StartAsync();
        using var process = Start(bootstrap, runtime, bucketName: null);
        var output = Drain(process);

        var report = await runtime.NextReportAsync(Within);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal("init/error", report.Kind);
        Assert.Contains("Storage:BucketName", report.Body, StringComparison.Ordinal);
        Assert.NotEqual(0, process.ExitCode);
        _ = await output;
    }

    private static string BootstrapOrSkip()
    {
        var bootstrap = Environment.GetEnvironmentVariable("IMAGES_BOOTSTRAP");
        if (string.IsNullOrEmpty(bootstrap))
        {
            Assert.Skip("Set IMAGES_BOOTSTRAP to a packaged bootstrap (scripts/package-images.sh ARCH --verify does).");
        }

        return bootstrap;
    }

    private byte[] SqsEventFor(UploadKey key)
    {
        var s3Event = new S3Event([new S3EventRecord("ObjectCreated:Post", new S3EventEntity(new S3EventBucket(bucket.Name), new S3EventObject(Uri.EscapeDataString(key.Value), 1)))]);
        var body = JsonSerializer.Serialize(s3Event, ImagesJsonContext.Default.S3Event);
        return JsonSerializer.SerializeToUtf8Bytes(new SqsEvent([new SqsMessage("m-1", body)]), ImagesJsonContext.Default.SqsEvent);
    }

    private static Process Start(string bootstrap, FakeRuntimeApi runtime, string? bucketName)
    {
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

        start.Environment["AWS_LAMBDA_RUNTIME_API"] = runtime.Address;
        if (bucketName is null)
        {
            start.Environment.Remove("Storage__BucketName");
        }
        else
        {
            start.Environment["Storage__BucketName"] = bucketName;
        }

        return Process.Start(start)!;
    }

    private static Task<string[]> Drain(Process process) => Task.WhenAll(
        process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken),
        process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
}
