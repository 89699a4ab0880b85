using System.Globalization;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>What the runtime posted back: to which path, the error-type header if any, and the body.</summary>
public sealed record RuntimeReport(string Kind, string? RequestId, string? ErrorTypeHeader, string Body);

/// <summary>
/// A small emulator of the documented Lambda Runtime API (2018-06-01): it hands out queued events on
/// <c>/invocation/next</c> (holding the poll open while the queue is empty, as Lambda does) and records what
/// the runtime posts to <c>/response</c>, <c>/error</c> and <c>/init/error</c>.
/// </summary>
public sealed class FakeRuntimeApi : IAsyncDisposable
{
    private readonly Channel<(string RequestId, byte[] Event, TimeSpan Timeout)> events = Channel.CreateUnbounded<(string, byte[], TimeSpan)>();
    private readonly Channel<RuntimeReport> reports = Channel.CreateUnbounded<RuntimeReport>();
    private readonly WebApplication app;

    private FakeRuntimeApi(WebApplication app) => this.app = app;

    /// <summary>host:port, the value of AWS_LAMBDA_RUNTIME_API.</summary>
    public string Address { get; private set; } = "";

    public static async Task<FakeRuntimeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var fake = new FakeRuntimeApi(builder.Build());
        fake.MapRoutes();
        await fake.app.StartAsync();
        fake.Address = new Uri(fake.app.Urls.Single()).Authority;
        return fake;
    }

    public string Enqueue(byte[] eventJson, TimeSpan? timeout = null)
    {
        var requestId = Guid.NewGuid().ToString();
        events.Writer.TryWrite((requestId, eventJson, timeout ?? TimeSpan.FromSeconds(30)));
        return requestId;
    }

    /// <summary>The next thing the runtime posted, or a failure naming what was awaited.</summary>
    public async Task<RuntimeReport> NextReportAsync(TimeSpan within)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(within);
        try
        {
            return await reports.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The runtime posted nothing to the Runtime API within {within.TotalSeconds} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        events.Writer.TryComplete();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(timeout.Token);
        await app.DisposeAsync();
    }

    private void MapRoutes()
    {
        app.MapGet("/2018-06-01/runtime/invocation/next", async (HttpContext context) =>
        {
            var (requestId, body, timeout) = await events.Reader.ReadAsync(context.RequestAborted);
            // As in Lambda, the function's time starts when the invocation is handed out.
            var deadline = DateTimeOffset.UtcNow + timeout;
            context.Response.Headers["Lambda-Runtime-Aws-Request-Id"] = requestId;
            context.Response.Headers["Lambda-Runtime-Deadline-Ms"] = deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["Lambda-Runtime-Trace-Id"] = $"Root=1-{requestId[..8]}-{requestId[9..13]};Sampled=0";
            context.Response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:presign";
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/response", (string requestId, HttpContext context) => RecordAsync("response", requestId, context));
        app.MapPost("/2018-06-01/runtime/invocation/{requestId}/error", (string requestId, HttpContext context) => RecordAsync("error", requestId, context));
        app.MapPost("/2018-06-01/runtime/init/error", (HttpContext context) => RecordAsync("init/error", null, context));
    }

    private async Task RecordAsync(string kind, string? requestId, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var errorType = context.Request.Headers["Lambda-Runtime-Function-Error-Type"].FirstOrDefault();
        await reports.Writer.WriteAsync(new RuntimeReport(kind, requestId, errorType, body), context.RequestAborted);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
