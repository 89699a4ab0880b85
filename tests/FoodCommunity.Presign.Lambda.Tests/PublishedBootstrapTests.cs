using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>The published Native AOT bootstrap, started as a process against an emulated Runtime API.</summary>
public sealed class PublishedBootstrapTests(ITestOutputHelper log)
{
    // Generous: under qemu an arm64 binary starts several times slower than natively.
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bootstrap_ServesGoodAndBadRequestsAndSurvivesAFailedInvocation()
    {
        var endpoint = await TestStorage.GetAsync();
        await PublishedBootstrap.EnsureAsync();
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var presign = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "apigateway-http-v2-presign.json")))!;
        var good = runtime.Enqueue(Encoding.UTF8.GetBytes(presign.ToJsonString()));
        var output = new StringBuilder();

        var clock = Stopwatch.StartNew();
        using var process = await PublishedBootstrap.StartAsync(Environment(runtime, endpoint), output);
        try
        {
            var first = await NextReportAsync(runtime, output);
            var startToFirstResponse = clock.Elapsed;
            Assert.True(("response", good) == (first.Kind, first.RequestId), $"{first}\n{output}");
            Assert.Equal(200, JsonDocument.Parse(first.Body).RootElement.GetProperty("statusCode").GetInt32());

            presign["body"] = """{"contentType":"image/jpeg","contentLength":0}""";
            var bad = runtime.Enqueue(Encoding.UTF8.GetBytes(presign.ToJsonString()));
            var second = await NextReportAsync(runtime, output);
            Assert.Equal(("response", bad), (second.Kind, second.RequestId));
            Assert.Equal(400, JsonDocument.Parse(second.Body).RootElement.GetProperty("statusCode").GetInt32());

            var broken = runtime.Enqueue("[1, 2"u8.ToArray());
            var third = await NextReportAsync(runtime, output);
            Assert.Equal(("error", broken, "Unhandled"), (third.Kind, third.RequestId, third.ErrorTypeHeader));
            Assert.Contains("Json", JsonDocument.Parse(third.Body).RootElement.GetProperty("errorType").GetString(), StringComparison.Ordinal);

            presign["body"] = """{"contentType":"image/png","contentLength":5}""";
            var after = runtime.Enqueue(Encoding.UTF8.GetBytes(presign.ToJsonString()));
            var fourth = await NextReportAsync(runtime, output);
            Assert.Equal(("response", after), (fourth.Kind, fourth.RequestId));
            Assert.False(process.HasExited, output.ToString());

            // A REST API event, claims directly under the authorizer, some of them not strings: read by the trimmed binary too.
            var rest = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "apigateway-rest-v1-presign.json")))!;
            rest["requestContext"]!["authorizer"]!["claims"]!["email_verified"] = true;
            var restRequest = runtime.Enqueue(Encoding.UTF8.GetBytes(rest.ToJsonString()));
            var fifth = await NextReportAsync(runtime, output);
            Assert.True(("response", restRequest) == (fifth.Kind, fifth.RequestId), $"{fifth}\n{output}");
            Assert.Equal(200, JsonDocument.Parse(fifth.Body).RootElement.GetProperty("statusCode").GetInt32());

            Report(startToFirstResponse);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Bootstrap_WithoutBucketSetting_ReportsInitErrorAndExits()
    {
        await using var runtime = await FakeRuntimeApi.StartAsync();
        var output = new StringBuilder();
        var environment = new Dictionary<string, string?> { ["AWS_LAMBDA_RUNTIME_API"] = runtime.Address };

        using var process = await PublishedBootstrap.StartAsync(environment, output);
        try
        {
            var report = await NextReportAsync(runtime, output);
            Assert.True(report.Kind == "init/error", $"{report}\n{output}");
            Assert.Contains("Storage:BucketName", JsonDocument.Parse(report.Body).RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
            using var exited = new CancellationTokenSource(Within);
            await process.WaitForExitAsync(exited.Token);
            Assert.NotEqual(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<RuntimeReport> NextReportAsync(FakeRuntimeApi runtime, StringBuilder output)
    {
        try
        {
            return await runtime.NextReportAsync(Within);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message} The bootstrap wrote:\n{output}", e);
        }
    }

    private static Dictionary<string, string?> Environment(FakeRuntimeApi runtime, TestS3Endpoint endpoint) => new()
    {
        ["AWS_LAMBDA_RUNTIME_API"] = runtime.Address,
        ["Storage__BucketName"] = endpoint.Settings.BucketName,
        ["Storage__ServiceUrl"] = endpoint.Settings.ServiceUrl?.ToString(),
        ["Storage__ForcePathStyle"] = endpoint.Settings.ForcePathStyle ? "true" : "false",
        ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1",
    };

    /// <summary>The figure for the closing note; the package script collects it through PRESIGN_TIMING_FILE.</summary>
    private void Report(TimeSpan startToFirstResponse)
    {
        var line = string.Create(
            CultureInfo.InvariantCulture,
            $"bootstrap{(PublishedBootstrap.Launcher is { } launcher ? $" (under {launcher.Split(' ')[0]})" : "")}: process start to first invocation response {startToFirstResponse.TotalMilliseconds:F0} ms");
        log.WriteLine(line);
        if (System.Environment.GetEnvironmentVariable("PRESIGN_TIMING_FILE") is { Length: > 0 } file)
        {
            File.AppendAllText(file, line + "\n");
        }
    }
}
