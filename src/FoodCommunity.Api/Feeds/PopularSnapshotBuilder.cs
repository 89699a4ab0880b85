using FoodCommunity.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace FoodCommunity.Api.Feeds;

/// <summary>
/// Builds the popular feed's snapshot once a period (a minute), on one instance at a time: every instance runs
/// this loop, and whoever takes the short Redis lease builds while the others go on
/// serving the previous snapshot. A builder that dies leaves the lease to expire, and the next
/// instance to look takes over; no request waits for a build.
/// </summary>
public sealed partial class PopularSnapshotBuilder(
    PopularRanking ranking, IConnectionMultiplexer redis, RedisKeys keys, ILogger<PopularSnapshotBuilder> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(30);

    private static readonly LuaScript ReleaseScript = LuaScript.Prepare("""
        if redis.call('GET', @lease) == @holder then return redis.call('DEL', @lease) end
        return 0
        """);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: nothing here may delay or fail it.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await BuildIfDueAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Redis unavailable (the feed falls back to MySQL meanwhile) or any other failure: try again next round.
                LogFailed(logger, e);
            }

            await Task.Delay(ranking.BuildCheckInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>True when this instance built the snapshot that was due.</summary>
    public async Task<bool> BuildIfDueAsync()
    {
        var due = ranking.DueSnapshot;
        if (await ranking.NewestSnapshotAsync() >= due)
        {
            return false;
        }

        var database = redis.GetDatabase();
        var holder = Guid.NewGuid().ToString("N");
        if (!await database.StringSetAsync(keys.PopularBuildLease(), holder, LeaseLifetime, When.NotExists))
        {
            return false;
        }

        try
        {
            // Another instance may have finished it between the check and the lease.
            if (await ranking.NewestSnapshotAsync() >= due)
            {
                return false;
            }

            await ranking.BuildAsync(due);
            return true;
        }
        finally
        {
            await database.ScriptEvaluateAsync(ReleaseScript, new { lease = keys.PopularBuildLease(), holder });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Building the popular snapshot failed; the previous one is still served")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
