using System.Globalization;
using System.Text.Json;
using FoodCommunity.Api.Infrastructure.Redis;
using StackExchange.Redis;

namespace FoodCommunity.Api.Notifications;

/// <summary>What a stored notification says besides its actors and time.</summary>
public sealed record NotificationData(string Type, Guid? PostId, Guid? CommentId, string? CommentText, Guid? ActorId);

/// <summary>
/// Notifications live in Redis, per user, under one hash tag: a sorted set of ids by the time of
/// their latest activity, their fixed data, and for likes one sorted set of likers per post and day,
/// so a like is one small update (ZADD) whatever the storm, and an unlike takes the liker out. No
/// MySQL write per like. Each user keeps the newest <see cref="Kept"/>; grouped likers expire after
/// <see cref="Lifetime"/>. Every new notification is also appended to the user's push stream.
/// </summary>
public sealed class NotificationStore(IConnectionMultiplexer redis, RedisKeys keys)
{
    public const string Like = "like";
    public const string Comment = "comment";
    public const string Follow = "follow";
    public const string Mention = "mention";

    /// <summary>How many notifications a user keeps (the oldest go first).</summary>
    public const int Kept = 500;

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(90);

    // KEYS: list, data, push, likers (or the list again). ARGV: id, score, data json, actor (or ''), kept, lifetime ms.
    private const string AddScript = """
        if ARGV[4] ~= '' then
          redis.call('ZADD', KEYS[4], ARGV[2], ARGV[4])
          redis.call('PEXPIRE', KEYS[4], ARGV[6])
        end
        local isNew = redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[3])
        redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
        redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1])
        local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
        if extra > 0 then
          local old = redis.call('ZRANGE', KEYS[1], 0, extra - 1)
          redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1)
          redis.call('HDEL', KEYS[2], unpack(old))
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        redis.call('PEXPIRE', KEYS[2], ARGV[6])
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', 100, '*', 'id', ARGV[1], 'new', isNew)
        return isNew
        """;

    // KEYS: list, data, likers. ARGV: id, actor. A group left without likers goes.
    private const string RemoveLikerScript = """
        redis.call('ZREM', KEYS[3], ARGV[2])
        if redis.call('ZCARD', KEYS[3]) == 0 then
          redis.call('ZREM', KEYS[1], ARGV[1])
          redis.call('HDEL', KEYS[2], ARGV[1])
        end
        return 0
        """;

    /// <summary>The id of the grouped like notification of a post on a (UTC) day.</summary>
    public static string LikeGroupId(Guid postId, DateTimeOffset time) =>
        $"l:{postId:N}:{time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    public Task AddLikeAsync(Guid recipient, Guid postId, Guid actor, DateTimeOffset time)
    {
        var id = LikeGroupId(postId, time);
        return AddAsync(recipient, id, new NotificationData(Like, postId, null, null, null), time, actor, keys.NotificationLikers(recipient, id));
    }

    public async Task RemoveLikeAsync(Guid recipient, Guid postId, Guid actor, DateTimeOffset time)
    {
        // The like being taken back was today's or yesterday's: both groups lose the actor.
        foreach (var day in new[] { time, time.AddDays(-1) })
        {
            var id = LikeGroupId(postId, day);
            await redis.GetDatabase().ScriptEvaluateAsync(RemoveLikerScript,
                [keys.Notifications(recipient), keys.NotificationData(recipient), keys.NotificationLikers(recipient, id)],
                [id, actor.ToString("N")]);
        }
    }

    public Task AddAsync(Guid recipient, string id, NotificationData data, DateTimeOffset time) =>
        AddAsync(recipient, id, data, time, actor: null, likers: null);

    private Task AddAsync(Guid recipient, string id, NotificationData data, DateTimeOffset time, Guid? actor, RedisKey? likers) =>
        redis.GetDatabase().ScriptEvaluateAsync(AddScript,
            [keys.Notifications(recipient), keys.NotificationData(recipient), keys.NotificationPush(recipient), likers ?? keys.Notifications(recipient)],
            [id, time.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(data, NotificationJsonContext.Default.NotificationData),
                actor?.ToString("N") ?? "", Kept, (long)Lifetime.TotalMilliseconds]);

    /// <summary>An erased account's notifications go with it (grouped likers expire on their own).</summary>
    public Task ForgetUserAsync(Guid userId) =>
        redis.GetDatabase().KeyDeleteAsync([keys.Notifications(userId), keys.NotificationData(userId), keys.NotificationsRead(userId), keys.NotificationPush(userId)]);

    /// <summary>A page of notifications, newest first, strictly before (score, id) when given.</summary>
    public async Task<IReadOnlyList<StoredNotification>> ReadAsync(Guid userId, (long Score, string Id)? before, int take)
    {
        var database = redis.GetDatabase();
        // A few more than asked: ties on the score are skipped by id below.
        var entries = await database.SortedSetRangeByScoreWithScoresAsync(keys.Notifications(userId),
            stop: before?.Score ?? double.PositiveInfinity, order: Order.Descending, take: take + 20);
        var page = entries
            .Select(e => (Id: (string)e.Element!, Score: (long)e.Score))
            .Where(e => before is not { } b || e.Score < b.Score || (e.Score == b.Score && string.CompareOrdinal(e.Id, b.Id) < 0))
            .OrderByDescending(e => e.Score).ThenByDescending(e => e.Id, StringComparer.Ordinal)
            .Take(take)
            .ToList();
        if (page.Count == 0)
        {
            return [];
        }

        var batch = database.CreateBatch();
        var data = batch.HashGetAsync(keys.NotificationData(userId), page.Select(p => (RedisValue)p.Id).ToArray());
        var read = batch.StringGetAsync(keys.NotificationsRead(userId));
        var likers = page.Where(p => p.Id.StartsWith("l:", StringComparison.Ordinal)).ToDictionary(p => p.Id, p =>
            (Count: batch.SortedSetLengthAsync(keys.NotificationLikers(userId, p.Id)),
             Latest: batch.SortedSetRangeByRankAsync(keys.NotificationLikers(userId, p.Id), 0, 9, Order.Descending)));
        batch.Execute();
        var values = await data;
        var readThrough = (long?)await read ?? 0;
        var result = new List<StoredNotification>(page.Count);
        for (var i = 0; i < page.Count; i++)
        {
            if (values[i].IsNull)
            {
                continue;
            }

            var stored = JsonSerializer.Deserialize((string)values[i]!, NotificationJsonContext.Default.NotificationData)!;
            long count = 0;
            List<Guid> latest = [];
            if (likers.TryGetValue(page[i].Id, out var group))
            {
                count = await group.Count;
                latest = [.. (await group.Latest).Select(v => Guid.ParseExact((string)v!, "N"))];
            }

            result.Add(new StoredNotification(page[i].Id, page[i].Score, stored, latest, count, page[i].Score <= readThrough));
        }

        return result;
    }

    public async Task<long> UnreadCountAsync(Guid userId)
    {
        var database = redis.GetDatabase();
        var readThrough = (long?)await database.StringGetAsync(keys.NotificationsRead(userId)) ?? 0;
        return await database.SortedSetLengthAsync(keys.Notifications(userId), readThrough, double.PositiveInfinity, Exclude.Start);
    }

    /// <summary>Marks everything up to the notification read; false when it is not one of the user's.</summary>
    public async Task<bool> MarkReadAsync(Guid userId, string upTo)
    {
        var database = redis.GetDatabase();
        if (await database.SortedSetScoreAsync(keys.Notifications(userId), upTo) is not { } score)
        {
            return false;
        }

        // Only forwards: a read mark never moves back.
        await database.ScriptEvaluateAsync(
            "if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end return 0",
            [keys.NotificationsRead(userId)], [(long)score, (long)Lifetime.TotalMilliseconds]);
        return true;
    }
}

public sealed record StoredNotification(string Id, long Score, NotificationData Data, IReadOnlyList<Guid> Likers, long LikerCount, bool Read);

[System.Text.Json.Serialization.JsonSerializable(typeof(NotificationData))]
internal sealed partial class NotificationJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
