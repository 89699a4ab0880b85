using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Tests.Infrastructure;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Feeds;

/// <summary>
/// Against the replica scripts/services.sh starts, which replicates from the primary by GTID: what each
/// caller sees shows where their reads went. Pausing the replica's SQL thread (STOP SLAVE SQL_THREAD) makes
/// it lag on demand. The class's tests run one after another, so one pause never meets another test's.
/// Post views and feeds are served from caches filled from the primary (docs/caching.md), so what shows
/// where a read went is a post's comment list: the post is looked up, and the comments read, in SQL.
/// </summary>
public sealed partial class ReplicaRoutingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>For the replica to apply what the whole test run wrote (every class's database and migrations).</summary>
    private static readonly TimeSpan ReplicationPatience = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AWrite_IsVisibleToItsAuthorAtOnce_AndToOthersOnceReplicated()
    {
        await using var routed = await StartWithReplicaAsync(ReplicaConnectionString);
        using var client = routed.CreateClient();

        var author = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(routed, author, "fresh off the pan");

        Assert.Equal(HttpStatusCode.OK, await AnonymousStatusAsync(client, postId, author.AccessToken));
        var seen = await Eventually.AnswerAsync(() => AnonymousStatusAsync(client, postId), s => s == HttpStatusCode.OK, ReplicationPatience);
        Assert.Equal(HttpStatusCode.OK, seen);
    }

    [Fact]
    public async Task WithReplicationPaused_OthersSeeTheOldState_TheAuthorTheNew_UntilTheReplicaCatchesUp()
    {
        // A limit well above the pause, so that the replica stays in the read path however long it lasts;
        // and the shortest fixed window, so that only the adaptive one can keep the author on the primary.
        await using var routed = await StartWithReplicaAsync(ReplicaConnectionString, new()
        {
            ["Database:ReplicaMaxLagSeconds"] = "120",
            ["Database:ReadYourWritesSeconds"] = "1",
        });
        var monitor = routed.GetService<ReplicaMonitor>();
        using var client = routed.CreateClient();
        var author = await client.RegisterAsync();
        var other = await client.RegisterAsync();
        await WaitUntilCaughtUpAsync(monitor);

        string postId;
        await using (await PauseReplicationAsync())
        {
            postId = await client.CreatePostAsync(routed, author, "not replicated yet");
            var pausedSince = DateTime.UtcNow;

            // Several seconds past ReadYourWritesSeconds, and the replica still has not applied the post:
            // the author keeps reading the primary, everyone else the replica.
            do
            {
                using var me = await client.GetAsync("/api/v1/me", author.AccessToken);
                Assert.Equal(HttpStatusCode.OK, await AnonymousStatusAsync(client, postId, author.AccessToken));
                Assert.Equal(1, (await me.ReadJsonAsync()).GetProperty("postCount").GetInt32());
                Assert.Equal(HttpStatusCode.NotFound, await AnonymousStatusAsync(client, postId, other.AccessToken));
                Assert.Equal(HttpStatusCode.NotFound, await AnonymousStatusAsync(client, postId));
                await Task.Delay(250, Ct);
            }
            while (DateTime.UtcNow - pausedSince < TimeSpan.FromSeconds(3));

            Assert.True(monitor.LagSeconds > 1, $"the monitor measured {monitor.LagSeconds} s of lag during the pause");
            Assert.True(monitor.Available);
        }

        var seen = await Eventually.AnswerAsync(() => AnonymousStatusAsync(client, postId, other.AccessToken), s => s == HttpStatusCode.OK, ReplicationPatience);
        Assert.Equal(HttpStatusCode.OK, seen);

        // Caught up, the author reads the replica again, long before their marker (ReplicaMaxLagSeconds + 2)
        // expires: a change made on the primary alone, with replication paused again, stays out of their view.
        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", author, HttpStatusCode.Created, new { text = "as written" });
        await WaitUntilCaughtUpAsync(monitor);
        await using (await PauseReplicationAsync())
        {
            await routed.ExecuteSqlAsync($"UPDATE comments SET text = 'changed on the primary alone' WHERE post_id = UNHEX(REPLACE('{postId}', '-', ''))");
            using var own = await client.GetAsync($"/api/v1/posts/{postId}/comments", author.AccessToken);
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            var comment = Assert.Single((await own.ReadJsonAsync()).GetProperty("items").EnumerateArray());
            Assert.Equal("as written", comment.GetProperty("text").GetString());
        }
    }

    [Fact]
    public async Task AReplicaLaggingBeyondTheLimit_IsTakenOutOfTheReadPath_AndComesBackWhenItCatchesUp()
    {
        await using var routed = await StartWithReplicaAsync(ReplicaConnectionString, new() { ["Database:ReplicaMaxLagSeconds"] = "2" });
        var monitor = routed.GetService<ReplicaMonitor>();
        using var client = routed.CreateClient();
        var author = await client.RegisterAsync();
        Assert.Equal("Healthy", await Eventually.AnswerAsync(() => ReplicaReadinessAsync(client), s => s == "Healthy", Patience));

        await using (await PauseReplicationAsync())
        {
            Assert.False(await Eventually.AnswerAsync(() => Task.FromResult(monitor.Available), available => !available, Patience),
                "the replica stayed in the read path while it lagged");
            var lag = await Eventually.AnswerAsync(() => LagMetricAsync(client), l => l > 2, Patience);
            Assert.True(lag > 2, $"foodcommunity.db.replica_lag showed {lag}");
            Assert.Equal("Degraded", await Eventually.AnswerAsync(() => ReplicaReadinessAsync(client), s => s == "Degraded", Patience));

            // The post is on the primary only, and the reads that would go to the replica now go there.
            var postId = await client.CreatePostAsync(routed, author, "read from the primary");
            Assert.Equal(HttpStatusCode.OK, await AnonymousStatusAsync(client, postId));
        }

        Assert.True(await Eventually.AnswerAsync(() => Task.FromResult(monitor.Available), available => available, ReplicationPatience),
            "the replica did not come back after it caught up");
        Assert.True(monitor.LagSeconds <= 2, $"back in the read path with {monitor.LagSeconds} s of lag");
        Assert.Equal("Healthy", await Eventually.AnswerAsync(() => ReplicaReadinessAsync(client), s => s == "Healthy", Patience));
    }

    [Fact]
    public async Task WithTheReplicaDown_ReadsGoToThePrimary_AndTheInstanceStaysReady()
    {
        // The replica reached through a forwarder the test can cut, as a network failure or a crash would.
        await using var forwarder = TcpForwarder.Start(new MySqlConnectionStringBuilder(ReplicaConnectionString));
        var throughForwarder = new MySqlConnectionStringBuilder(ReplicaConnectionString) { Server = "127.0.0.1", Port = (uint)forwarder.Port }.ConnectionString;
        await using var routed = await StartWithReplicaAsync(throughForwarder, new() { ["Database:ReplicaMaxLagSeconds"] = "120" });
        var monitor = routed.GetService<ReplicaMonitor>();
        using var client = routed.CreateClient();
        var author = await client.RegisterAsync();
        await WaitUntilCaughtUpAsync(monitor);

        await using (await PauseReplicationAsync())
        {
            var postId = await client.CreatePostAsync(routed, author);
            // Trusted and lagging: others read the replica, which lacks the post.
            Assert.Equal(HttpStatusCode.NotFound, await AnonymousStatusAsync(client, postId));
            Assert.Equal("Healthy", await ReplicaReadinessAsync(client));

            forwarder.Cut();

            Assert.False(await Eventually.AnswerAsync(() => Task.FromResult(monitor.Available), available => !available, Patience),
                "the monitor never noticed the replica was gone");
            Assert.Equal(HttpStatusCode.OK, await AnonymousStatusAsync(client, postId));
            // Degraded, not unhealthy: readiness answers 200 (ReplicaReadinessAsync asserts it) and the instance keeps its traffic.
            Assert.Equal("Degraded", await Eventually.AnswerAsync(() => ReplicaReadinessAsync(client), s => s == "Degraded", Patience));
        }
    }

    [Fact]
    public async Task WithoutAReplica_EveryReadSeesThePrimary()
    {
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(api, author);

        using var anonymous = await client.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Null(api.GetService<ReplicaMonitor>().LagSeconds);
    }

    /// <summary>This class's database on the run's replica, which receives it (and its migrations) by replication.</summary>
    private string ReplicaConnectionString => api.Endpoints.MySqlReplicaServer is { } replica
        ? new MySqlConnectionStringBuilder(replica) { Database = api.Isolation.DatabaseName }.ConnectionString
        : throw new InvalidOperationException(
            "These tests need a MariaDB replica replicating from the primary: `eval \"$(bash scripts/services.sh up)\"` starts one and sets ConnectionStrings__MySqlReplica.");

    /// <summary>A second API instance reading from the replica, once its monitor trusts it.</summary>
    private async Task<ApiFactory> StartWithReplicaAsync(string replica, Dictionary<string, string?>? settings = null)
    {
        var overrides = new Dictionary<string, string?>(settings ?? []) { ["ConnectionStrings:MySqlReplica"] = replica };
        var routed = await ApiFactory.SharingStateWithAsync(api, overrides);
        var monitor = routed.GetService<ReplicaMonitor>();
        Assert.True(await Eventually.AnswerAsync(() => Task.FromResult(monitor.Available), available => available, ReplicationPatience),
            $"the replica monitor never trusted the replica (lag {monitor.LagSeconds})");
        return routed;
    }

    /// <summary>Waits until the replica has applied everything committed before now.</summary>
    private static async Task WaitUntilCaughtUpAsync(ReplicaMonitor monitor)
    {
        var now = DateTime.UtcNow;
        Assert.True(await Eventually.AnswerAsync(() => Task.FromResult(monitor.HasCaughtUpWith(now)), caughtUp => caughtUp, ReplicationPatience),
            "the replica did not catch up");
    }

    /// <summary>Stops the replica's SQL thread until disposed: it keeps receiving the binlog, applies none of it.</summary>
    private async Task<IAsyncDisposable> PauseReplicationAsync()
    {
        await ExecuteOnReplicaAsync("STOP SLAVE SQL_THREAD");
        return new Resume(this);
    }

    private async Task ExecuteOnReplicaAsync(string sql)
    {
        await using var connection = new MySqlConnection(ReplicaConnectionString);
        await connection.OpenAsync(CancellationToken.None);
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private sealed class Resume(ReplicaRoutingTests tests) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await tests.ExecuteOnReplicaAsync("START SLAVE SQL_THREAD");
    }

    /// <summary>The post's comment list, anonymously or as the token's holder: 404 where the read finds no post.</summary>
    private static async Task<HttpStatusCode> AnonymousStatusAsync(HttpClient client, string postId, string? accessToken = null)
    {
        using var response = accessToken is null
            ? await client.GetAsync($"/api/v1/posts/{postId}/comments", Ct)
            : await client.GetAsync($"/api/v1/posts/{postId}/comments", accessToken);
        return response.StatusCode;
    }

    private static async Task<string?> ReplicaReadinessAsync(HttpClient client)
    {
        using var ready = await client.GetAsync("/health/ready", Ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        return await ReplicaStatusAsync(ready);
    }

    private static async Task<string?> ReplicaStatusAsync(HttpResponseMessage ready) =>
        (await ready.ReadJsonAsync()).GetProperty("checks").GetProperty("mysql-replica").GetProperty("status").GetString();

    /// <summary>foodcommunity.db.replica_lag as Prometheus scrapes it; NaN while absent.</summary>
    private static async Task<double> LagMetricAsync(HttpClient client)
    {
        var body = await client.GetStringAsync("/metrics", Ct);
        var match = LagLine().Match(body);
        return match.Success ? double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture) : double.NaN;
    }

    [GeneratedRegex(@"^foodcommunity_db_replica_lag(_seconds)?(\{[^}]*\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex LagLine();

    /// <summary>A loopback TCP forwarder to a MySQL server; <see cref="Cut"/> drops every connection and refuses new ones.</summary>
    private sealed class TcpForwarder : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _cut = new();
        private readonly string _host;
        private readonly int _port;
        private readonly Task _accepting;

        private TcpForwarder(MySqlConnectionStringBuilder target)
        {
            _host = target.Server;
            _port = (int)target.Port;
            _listener.Start();
            _accepting = Task.Run(AcceptAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TcpForwarder Start(MySqlConnectionStringBuilder target) => new(target);

        public void Cut()
        {
            _cut.Cancel();
            _listener.Stop();
        }

        public async ValueTask DisposeAsync()
        {
            if (!_cut.IsCancellationRequested)
            {
                Cut();
            }

            await _accepting;
            _cut.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_cut.IsCancellationRequested)
            {
                TcpClient inbound;
                try
                {
                    inbound = await _listener.AcceptTcpClientAsync(_cut.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => PipeAsync(inbound));
            }
        }

        private async Task PipeAsync(TcpClient inbound)
        {
            using var _ = inbound;
            using var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_host, _port, _cut.Token);
                using var both = CancellationTokenSource.CreateLinkedTokenSource(_cut.Token);
                var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), both.Token);
                var down = outbound.GetStream().CopyToAsync(inbound.GetStream(), both.Token);
                await Task.WhenAny(up, down);
                await both.CancelAsync();
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException)
            {
                // Cut, or one side hung up: both sockets close here.
            }
        }
    }
}
