using Microsoft.Extensions.Configuration;

namespace FoodCommunity.Presign.Lambda.Hosting;

/// <summary>
/// The custom runtime (<c>provided.al2023</c>, executable <c>bootstrap</c>): initialise once, then take
/// invocations one at a time from the Runtime API until Lambda freezes or ends the process.
/// </summary>
public static class LambdaRuntime
{
    private const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>Kept back from the deadline so that an overrunning invocation can still report its error itself.</summary>
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(string runtimeApi, IConfiguration configuration, CancellationToken stoppingToken = default)
    {
        // The /next call waits for as long as the function is idle, so no client timeout may cut it.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new RuntimeApiClient(http, runtimeApi);

        PresignFunction function;
        try
        {
            function = PresignComposition.CreateFunction(configuration, TimeProvider.System);
        }
        catch (Exception e)
        {
            // Any failure here (missing settings, a bad region) is an init error: Lambda reports it and retries the cold start.
            await Console.Error.WriteLineAsync($"Init failed: {e}");
            await client.ReportInitErrorAsync(e, stoppingToken);
            return 1;
        }

        await RunInvocationsAsync(client, function.InvokeAsync, TimeProvider.System, stoppingToken);
        return 0;
    }

    /// <summary>
    /// The invocation loop. A failing invocation is reported to <c>/error</c> and the loop goes on: one bad event
    /// must not cost the next caller a cold start. Failures of the Runtime API itself end the process, as Lambda expects.
    /// </summary>
    public static async Task RunInvocationsAsync(
        RuntimeApiClient client,
        Func<ReadOnlyMemory<byte>, CancellationToken, Task<byte[]>> handler,
        TimeProvider time,
        CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(time);
        while (!stoppingToken.IsCancellationRequested)
        {
            var invocation = await client.NextAsync(stoppingToken);
            // X-Ray and the AWS SDK read the trace id of the current invocation from here.
            Environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);

            byte[] response;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var remaining = invocation.Deadline - time.GetUtcNow() - DeadlineMargin;
                // Lambda's longest timeout is 15 minutes; a missing deadline header must not overflow CancelAfter.
                deadline.CancelAfter(TimeSpan.FromTicks(Math.Clamp(remaining.Ticks, 0, TimeSpan.FromHours(1).Ticks)));
                try
                {
                    response = await handler(invocation.Event, deadline.Token);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync($"Invocation {invocation.RequestId} failed: {e}");
                    await client.ReportInvocationErrorAsync(invocation.RequestId, e, stoppingToken);
                    continue;
                }
            }

            await client.RespondAsync(invocation.RequestId, response, stoppingToken);
        }
    }
}
