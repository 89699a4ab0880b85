namespace FoodCommunity.Images.Lambda.Hosting;

/// <summary>
/// The custom runtime (<c>provided.al2023</c>, executable <c>bootstrap</c>), as in the presign function: initialise
/// once, then take invocations one at a time from the Runtime API until Lambda freezes or ends the process.
/// </summary>
public static class LambdaRuntime
{
    private const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>Kept back from the deadline so that an overrunning invocation can still report its error itself.</summary>
    private static readonly TimeSpan DeadlineMargin = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(string runtimeApi, Func<string, string?> settings, CancellationToken stoppingToken = default)
    {
        // The /next call waits for as long as the function is idle, so no client timeout may cut it.
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new RuntimeApiClient(http, runtimeApi);

        ImagesFunction function;
        try
        {
            function = ImagesComposition.CreateFunction(settings);
        }
        catch (Exception e)
        {
            // Any failure here (missing settings, libvips not loadable) is an init error: Lambda reports it and retries the cold start.
            await Console.Error.WriteLineAsync($"Init failed: {e}");
            await client.ReportInitErrorAsync(e, stoppingToken);
            return 1;
        }

        await RunInvocationsAsync(client, function.InvokeAsync, TimeProvider.System, stoppingToken);
        return 0;
    }

    /// <summary>
    /// The invocation loop. A failing invocation is reported to <c>/error</c> and the loop goes on (the whole batch
    /// then returns to the queue); failures of the Runtime API itself end the process, as Lambda expects.
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
            Environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);

            byte[] response;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var remaining = invocation.Deadline - time.GetUtcNow() - DeadlineMargin;
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
