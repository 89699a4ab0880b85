using System.Text;
using System.Text.Json;
using FoodCommunity.Presign.Lambda.Hosting;
using Microsoft.Extensions.Configuration;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>The custom runtime's loop against an emulated Runtime API, in process.</summary>
public sealed class LambdaRuntimeTests : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
    private readonly HttpClient http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private FakeRuntimeApi runtime = null!;
    private Task? loop;

    public async ValueTask InitializeAsync() => runtime = await FakeRuntimeApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (loop is not null)
        {
            // Stopped, the loop ends: between invocations it returns, in the middle of one it throws.
            // Either way it must end promptly (WaitAsync throws TimeoutException otherwise).
            try
            {
                await loop.WaitAsync(Within);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await runtime.DisposeAsync();
        http.Dispose();
        stop.Dispose();
    }

    [Fact]
    public async Task Invocation_ResponseIsPostedForItsRequestId()
    {
        Start((evt, _) => Task.FromResult(Encoding.UTF8.GetBytes("{\"echo\":" + Encoding.UTF8.GetString(evt.Span) + "}")));

        var id = runtime.Enqueue("""{"n":1}"""u8.ToArray());

        var report = await runtime.NextReportAsync(Within);
        Assert.Equal(new RuntimeReport("response", id, null, """{"echo":{"n":1}}"""), report);
    }

    [Fact]
    public async Task FailingInvocation_IsReportedAsErrorAndTheLoopGoesOn()
    {
        Start((evt, _) => evt.Span.SequenceEqual("\"boom\""u8)
            ? throw new InvalidOperationException("the handler broke")
            : Task.FromResult(evt.ToArray()));

        var first = runtime.Enqueue("\"ok\""u8.ToArray());
        var failing = runtime.Enqueue("\"boom\""u8.ToArray());
        var third = runtime.Enqueue("\"still here\""u8.ToArray());

        Assert.Equal(new RuntimeReport("response", first, null, "\"ok\""), await runtime.NextReportAsync(Within));
        var error = await runtime.NextReportAsync(Within);
        Assert.Equal(("error", failing, "Unhandled"), (error.Kind, error.RequestId, error.ErrorTypeHeader));
        var body = JsonDocument.Parse(error.Body).RootElement;
        Assert.Equal("the handler broke", body.GetProperty("errorMessage").GetString());
        Assert.Equal("System.InvalidOperationException", body.GetProperty("errorType").GetString());
        Assert.Equal(new RuntimeReport("response", third, null, "\"still here\""), await runtime.NextReportAsync(Within));
    }

    [Fact]
    public async Task InvocationPastItsDeadline_IsCancelledAndReported()
    {
        Start(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return [];
        });

        var id = runtime.Enqueue("{}"u8.ToArray(), timeout: TimeSpan.FromMilliseconds(600));

        var report = await runtime.NextReportAsync(Within);
        Assert.Equal(("error", id), (report.Kind, report.RequestId));
        Assert.Contains("Canceled", JsonDocument.Parse(report.Body).RootElement.GetProperty("errorType").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TraceIdOfTheInvocation_IsInTheEnvironmentWhileItRuns()
    {
        Start((_, _) => Task.FromResult(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID")))));

        var id = runtime.Enqueue("{}"u8.ToArray());

        var report = await runtime.NextReportAsync(Within);
        Assert.StartsWith($"\"Root=1-{id[..8]}-", report.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealFunction_AnswersAGoodAndABadRequestThenReportsABrokenEvent()
    {
        var endpoint = await TestStorage.GetAsync();
        loop = LambdaRuntime.RunAsync(runtime.Address, TestStorage.Configuration(endpoint.Settings), stop.Token);
        var presign = JsonNodeOf("apigateway-http-v2-presign.json");

        var good = runtime.Enqueue(Encoding.UTF8.GetBytes(presign.ToJsonString()));
        presign["body"] = """{"contentType":"image/gif","contentLength":10}""";
        var bad = runtime.Enqueue(Encoding.UTF8.GetBytes(presign.ToJsonString()));
        var broken = runtime.Enqueue("not an event"u8.ToArray());

        var first = await runtime.NextReportAsync(Within);
        Assert.Equal(("response", good), (first.Kind, first.RequestId));
        Assert.Equal(200, JsonDocument.Parse(first.Body).RootElement.GetProperty("statusCode").GetInt32());
        var second = await runtime.NextReportAsync(Within);
        Assert.Equal(("response", bad), (second.Kind, second.RequestId));
        Assert.Equal(400, JsonDocument.Parse(second.Body).RootElement.GetProperty("statusCode").GetInt32());
        var third = await runtime.NextReportAsync(Within);
        Assert.Equal(("error", broken), (third.Kind, third.RequestId));
    }

    [Fact]
    public async Task MissingSettings_AreReportedAsInitErrorAndEndTheRuntime()
    {
        var empty = new ConfigurationBuilder().Build();

        var exitCode = await LambdaRuntime.RunAsync(runtime.Address, empty, stop.Token);

        Assert.Equal(1, exitCode);
        var report = await runtime.NextReportAsync(Within);
        Assert.Equal(("init/error", "Unhandled"), (report.Kind, report.ErrorTypeHeader));
        Assert.Contains("Storage:BucketName", JsonDocument.Parse(report.Body).RootElement.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    private static System.Text.Json.Nodes.JsonNode JsonNodeOf(string fixture) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)))!;

    private void Start(Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> handler) =>
        loop = LambdaRuntime.RunInvocationsAsync(new RuntimeApiClient(http, runtime.Address), handler, TimeProvider.System, stop.Token);
}
