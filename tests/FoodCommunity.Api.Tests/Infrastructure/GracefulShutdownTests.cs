using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// A Spot interruption or scale-in, for real: the API as a process under load gets SIGTERM (what systemd
/// sends on `systemctl stop`, and EC2 on shutdown). deploy/'s drain hook and ALB deregistration delay rely on this.
/// </summary>
public sealed class GracefulShutdownTests(ApiFactory api, ITestOutputHelper log) : IClassFixture<ApiFactory>
{
    private const int ShutdownTimeoutSeconds = 30;
    private const int LoadWorkers = 16;
    private const int SlowRequests = 8;
    // A slow request's body arrives over this long after SIGTERM: the API must wait for it.
    private static readonly TimeSpan SlowBodyAfterSignal = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sigterm_UnderLoad_CompletesEveryAcceptedRequest_RefusesNewOnes_ReleasesLeases_AndExitsInTime()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "SIGTERM is a POSIX signal");
        var port = ApiProcess.FreePort();
        // A Redis prefix of its own: the leases under it can only be this process's.
        var prefix = $"sigterm:{Guid.NewGuid():N}:"[..24];
        using var server = ApiProcess.Start(api, new Dictionary<string, string>
        {
            ["ConnectionStrings__MySql"] = api.MySqlConnectionString,
            ["Auth__Issuer"] = ApiFactory.TestIssuer,
            ["Auth__SigningKeyPem"] = api.Isolation.SigningKeyPem,
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["Redis__KeyPrefix"] = prefix,
            ["Http__ShutdownTimeoutSeconds"] = ShutdownTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        });
        var output = new StringBuilder();
        var drained = Task.WhenAll(Drain(server.StandardOutput, output), Drain(server.StandardError, output));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await ApiProcess.WaitUntilLiveAsync(http);

            var redis = api.GetService<IConnectionMultiplexer>().GetDatabase();
            var keys = new RedisKeys(Options.Create(new RedisOptions { KeyPrefix = prefix }));
            var leases = Enumerable.Range(0, 16).Select(keys.LikeFlushLease).ToArray();
            var held = await Eventually.AnswerAsync(() => CountAsync(redis, leases), n => n == leases.Length, TimeSpan.FromSeconds(30));
            Assert.True(held == leases.Length, $"the flusher held {held} of {leases.Length} shard leases\n{output}");

            // Load: workers send feed reads back to back on keep-alive connections until the signal.
            using var stopLoad = new CancellationTokenSource();
            long signalledAt = 0;
            var load = Enumerable.Range(0, LoadWorkers).Select(_ => LoadAsync(port, () => Interlocked.Read(ref signalledAt), stopLoad.Token)).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            // Slow requests: headers and half a body sent, so the API has accepted them and is reading.
            var slow = new List<SlowRequest>();
            for (var i = 0; i < SlowRequests; i++)
            {
                slow.Add(await SlowRequest.StartAsync(port));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), Ct);

            var clock = Stopwatch.StartNew();
            signalledAt = Stopwatch.GetTimestamp();
            Signal(server.Id, "TERM");
            stopLoad.Cancel();

            // New connections are refused while the accepted requests are still being served.
            var refusedAt = await RefusedWithinAsync(port, TimeSpan.FromSeconds(5));
            Assert.True(refusedAt is not null, $"the API still accepted connections 5 s after SIGTERM\n{output}");
            Assert.False(server.HasExited, "the API exited before it had served the requests it had accepted");

            var finishing = slow.Select(s => s.FinishAsync(SlowBodyAfterSignal)).ToArray();
            var slowStatuses = await Task.WhenAll(finishing);
            var loadResults = await Task.WhenAll(load);

            using var exitTimeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            exitTimeout.CancelAfter(TimeSpan.FromSeconds(ShutdownTimeoutSeconds + 10));
            await server.WaitForExitAsync(exitTimeout.Token);
            var exitedAfter = clock.Elapsed;
            await drained;

            var completed = loadResults.Sum(r => r.Completed);
            var failures = loadResults.SelectMany(r => r.Failures).ToList();
            var refusedAfterSignal = loadResults.Sum(r => r.RefusedAfterSignal);
            log.WriteLine($"load: {completed} requests completed by {LoadWorkers} workers, {failures.Count} failed, " +
                          $"{refusedAfterSignal} sent after the signal refused; " +
                          $"{SlowRequests} slow requests answered {string.Join(",", slowStatuses)}; " +
                          $"connections refused {refusedAt!.Value.TotalMilliseconds:F0} ms after SIGTERM; exit {server.ExitCode} after {exitedAfter.TotalSeconds:F1} s");

            Assert.True(completed > LoadWorkers, $"the load never got going ({completed} requests)");
            Assert.True(failures.Count == 0, $"{failures.Count} accepted requests failed: {string.Join("; ", failures.Take(5))}\n{output}");
            // Each slow request got a whole answer (the login it carried is refused: an unknown account).
            Assert.All(slowStatuses, status => Assert.Equal(401, status));
            Assert.Equal(0, server.ExitCode);
            Assert.InRange(exitedAfter, SlowBodyAfterSignal, TimeSpan.FromSeconds(ShutdownTimeoutSeconds));
            // Released, not expired: a lease lives Likes:FlushLeaseSeconds (15 s) past its last renewal.
            Assert.True(exitedAfter < TimeSpan.FromSeconds(12), $"exit took {exitedAfter}: too long to tell a released lease from an expired one");
            Assert.Equal(0, await CountAsync(redis, leases));
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            await server.WaitForExitAsync(CancellationToken.None);
        }
    }

    /// <summary>How many of the keys exist, one EXISTS each: the shards' leases lie in 16 slots on a Redis Cluster.</summary>
    private static async Task<int> CountAsync(IDatabase redis, RedisKey[] keys) =>
        (await Task.WhenAll(keys.Select(key => redis.KeyExistsAsync(key)))).Count(exists => exists);

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task Drain(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }

    /// <summary>When, after the call, a new TCP connection to the port was first refused (null: never within the limit).</summary>
    private static async Task<TimeSpan?> RefusedWithinAsync(int port, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, Ct);
            }
            // Reset: the listening socket closed while this connection waited in its backlog, never accepted.
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                return clock.Elapsed;
            }

            await Task.Delay(20, Ct);
        }

        return null;
    }

    private sealed record LoadResult(int Completed, List<string> Failures, int RefusedAfterSignal);

    /// <summary>
    /// Feed reads back to back until <paramref name="stop"/>. Every request sent before the signal must get
    /// a 200, the ones in flight at the signal included; one sent after it (the worker had not seen the
    /// signal yet) may get a 200 or a refused connection, nothing else.
    /// </summary>
    private static async Task<LoadResult> LoadAsync(int port, Func<long> signalledAt, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(ShutdownTimeoutSeconds) };
        var completed = 0;
        var refusedAfterSignal = 0;
        var failures = new List<string>();
        while (!stop.IsCancellationRequested)
        {
            var sentAt = Stopwatch.GetTimestamp();
            try
            {
                // Not tied to `stop`: a request once sent runs to its answer.
                using var response = await http.GetAsync("/api/v1/feed/latest", CancellationToken.None);
                await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    completed++;
                }
                else
                {
                    failures.Add($"{(int)response.StatusCode} {response.ReasonPhrase}");
                }
            }
            catch (HttpRequestException e) when (signalledAt() is var signal and not 0 && sentAt > signal
                                                && e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                refusedAfterSignal++;
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{e.Message} ({e.InnerException?.Message})");
            }
        }

        return new LoadResult(completed, failures, refusedAfterSignal);
    }

    /// <summary>A login whose body trickles in over a raw socket: in flight at the signal, by construction.</summary>
    private sealed class SlowRequest : IDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly byte[] _body;

        private SlowRequest(TcpClient client, byte[] body)
        {
            _client = client;
            _stream = client.GetStream();
            _body = body;
        }

        public static async Task<SlowRequest> StartAsync(int port)
        {
            // Trailing whitespace keeps the trickle above Kestrel's minimum body data rate (240 bytes/s).
            var body = Encoding.UTF8.GetBytes($$"""{"login":"nobody_{{Guid.NewGuid():N}}","password":"not a real password"}""" + new string(' ', 4096));
            var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, Ct);
            var request = new SlowRequest(client, body);
            var head = $"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
            await request._stream.WriteAsync(Encoding.ASCII.GetBytes(head), Ct);
            await request._stream.WriteAsync(body.AsMemory(0, body.Length / 2), Ct);
            return request;
        }

        /// <summary>Sends the rest of the body in pieces over <paramref name="over"/>, then reads the status code.</summary>
        public async Task<int> FinishAsync(TimeSpan over)
        {
            using (this)
            {
                var rest = _body.AsMemory(_body.Length / 2);
                const int pieces = 6;
                var size = (rest.Length + pieces - 1) / pieces;
                for (var offset = 0; offset < rest.Length; offset += size)
                {
                    await Task.Delay(over / pieces, Ct);
                    await _stream.WriteAsync(rest.Slice(offset, Math.Min(size, rest.Length - offset)), Ct);
                }

                using var reader = new StreamReader(_stream, Encoding.ASCII);
                var statusLine = await reader.ReadLineAsync(Ct) ?? "";
                var parts = statusLine.Split(' ');
                return parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var status) ? status : -1;
            }
        }

        public void Dispose()
        {
            _stream.Dispose();
            _client.Dispose();
        }
    }
}
