using Dapper;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Likes;

/// <summary>
/// Rebuilds posts' like state in Redis from MySQL plus the events not yet flushed, many posts at a
/// time: one REPEATABLE READ snapshot for the whole batch (which posts exist, every shard's checkpoint,
/// their likers), one replay of each shard's stream past its checkpoint, then each post's state into
/// place. A batch of a hundred posts costs five statements, where one post at a time cost five each.
/// </summary>
public sealed partial class LikeStateLoader(
    IConnectionMultiplexer redis, RedisKeys keys, IOptions<LikeOptions> options, ILogger<LikeStateLoader> logger)
{
    /// <summary>Posts per snapshot: the IN lists stay short, and a hot post's likers do not pile up with many others'.</summary>
    public const int MaxBatch = 100;

    private const int Chunk = 1000;

    // The likers arrive in chunks in a staging key; this moves them in place unless the state was
    // loaded meanwhile (by another instance) or the post was deleted meanwhile.
    private static readonly LuaScript LoadScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @gone) == 1 or redis.call('EXISTS', @state) == 1 then
          redis.call('DEL', @staging)
          return 0
        end
        redis.call('HSET', @staging, '#', @count)
        redis.call('RENAME', @staging, @state)
        redis.call('EXPIRE', @state, @stateTtl)
        return 1
        """);

    private int Shards => options.Value.Shards;

    private long StateTtlSeconds => options.Value.StateIdleHours * 3600L;

    /// <summary>
    /// Loads the state of those posts (at most <see cref="MaxBatch"/>) whose state is not in Redis: MySQL's
    /// likers at one snapshot, with every event after its shard's checkpoint replayed in order. Should a
    /// stream have lost an event after that checkpoint meanwhile (trimmed once applied), it starts again.
    /// Returns the posts that exist.
    /// </summary>
    public async Task<IReadOnlySet<Guid>> LoadAsync(IReadOnlyCollection<Guid> postIds, FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(postIds.Count, MaxBatch);
        var database = redis.GetDatabase();
        for (var attempt = 0; ; attempt++)
        {
            var snapshot = await ReadMySqlSnapshotAsync(postIds, db, cancellationToken);
            var shards = snapshot.Likers.Keys.Select(id => RedisKeys.LikeShard(id, Shards)).Distinct().ToList();
            var trimmedPast = false;
            foreach (var shard in shards)
            {
                var checkpoint = snapshot.Checkpoints.GetValueOrDefault(shard, "0-0");
                await ReplayAsync(database, shard, checkpoint, snapshot.Likers);
                trimmedPast |= await LastTrimmedIdAsync(database, shard) is { } trimmed && LikeEvent.CompareIds(trimmed, checkpoint) > 0;
            }

            if (trimmedPast && attempt < 3)
            {
                continue;
            }

            await Task.WhenAll(snapshot.Likers.Select(post => StoreAsync(database, post.Key, post.Value)));
            LogRebuilt(logger, snapshot.Likers.Count, snapshot.Likers.Values.Sum(likers => likers.Count));
            return snapshot.Likers.Keys.ToHashSet();
        }
    }

    private sealed record Snapshot(Dictionary<Guid, HashSet<string>> Likers, Dictionary<int, string> Checkpoints);

    private static async Task<Snapshot> ReadMySqlSnapshotAsync(IReadOnlyCollection<Guid> postIds, FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            // One REPEATABLE READ snapshot: the flusher commits rows and checkpoint together, so the reads agree.
            await using var transaction = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var connection = db.Database.GetDbConnection();
            var inTransaction = Microsoft.EntityFrameworkCore.Storage.DbContextTransactionExtensions.GetDbTransaction(transaction);
            // Dapper for the IN lists (EF builds every such query anew); the checkpoints are one fixed query.
            var existing = (await connection.QueryAsync<Guid>(new CommandDefinition(
                "SELECT id FROM posts WHERE id IN @postIds", new { postIds }, inTransaction, cancellationToken: cancellationToken))).ToList();
            var checkpoints = await db.LikeCheckpoints.AsNoTracking().ToDictionaryAsync(c => c.Shard, c => c.LastEventId, cancellationToken);
            var likers = existing.ToDictionary(id => id, _ => new HashSet<string>());
            if (existing.Count > 0)
            {
                var rows = await connection.QueryAsync<(Guid PostId, Guid UserId)>(new CommandDefinition(
                    "SELECT post_id, user_id FROM post_likes WHERE post_id IN @existing", new { existing }, inTransaction, cancellationToken: cancellationToken));
                foreach (var (postId, userId) in rows)
                {
                    likers[postId].Add(userId.ToString("N"));
                }
            }

            await transaction.CommitAsync(cancellationToken);
            return new Snapshot(likers, checkpoints);
        });

    /// <summary>The shard's events after <paramref name="checkpoint"/>, applied in order to those of its posts in the batch.</summary>
    private async Task ReplayAsync(IDatabase database, int shard, string checkpoint, Dictionary<Guid, HashSet<string>> likers)
    {
        var byKey = likers.Where(post => RedisKeys.LikeShard(post.Key, Shards) == shard)
            .ToDictionary(post => post.Key.ToString("N"), post => post.Value);
        RedisValue from = "(" + checkpoint;
        while (true)
        {
            var entries = await database.StreamRangeAsync(keys.LikeEvents(shard), from, "+", count: Chunk);
            foreach (var entry in entries)
            {
                if (LikeEvent.TryParse(entry, out var change) && byKey.TryGetValue(change.Post, out var users))
                {
                    if (change.Liked)
                    {
                        users.Add(change.User);
                    }
                    else
                    {
                        users.Remove(change.User);
                    }
                }
            }

            if (entries.Length < Chunk)
            {
                return;
            }

            from = "(" + entries[^1].Id;
        }
    }

    /// <summary>The highest id XTRIM has removed from the shard's stream (Redis 7's max-deleted-entry-id).</summary>
    private async Task<string?> LastTrimmedIdAsync(IDatabase database, int shard)
    {
        RedisResult[] info;
        try
        {
            info = (RedisResult[])(await database.ExecuteAsync("XINFO", "STREAM", keys.LikeEvents(shard)))!;
        }
        catch (RedisServerException e) when (e.Message.StartsWith("ERR no such key", StringComparison.Ordinal))
        {
            // No event was ever appended to this shard: nothing can have been trimmed.
            return null;
        }

        for (var i = 0; i + 1 < info.Length; i += 2)
        {
            if ((string?)info[i] == "max-deleted-entry-id")
            {
                return (string?)info[i + 1];
            }
        }

        return null;
    }

    /// <summary>Likers go into a staging hash in chunks (no multi-megabyte script argument for a hot post), then into place at once.</summary>
    private async Task StoreAsync(IDatabase database, Guid postId, HashSet<string> likers)
    {
        var shard = RedisKeys.LikeShard(postId, Shards);
        var staging = keys.LikeStaging(postId, shard, Guid.NewGuid());
        foreach (var chunk in likers.Chunk(Chunk))
        {
            await database.HashSetAsync(staging, chunk.Select(user => new HashEntry(user, "1")).ToArray());
            await database.KeyExpireAsync(staging, TimeSpan.FromMinutes(5));
        }

        await database.ScriptEvaluateAsync(LoadScript, new
        {
            state = keys.LikeState(postId, shard),
            gone = keys.LikeGone(postId, shard),
            staging,
            count = likers.Count,
            stateTtl = StateTtlSeconds,
        });
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Rebuilt the like state of {Posts} post(s), {Likes} like(s) in all")]
    private static partial void LogRebuilt(ILogger logger, int posts, int likes);
}
