using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace FoodCommunity.Api.Infrastructure.Redis;

/// <summary>
/// Every Redis key name, built in one place. Keys a script touches together share a hash tag
/// ({...}) so they live in one slot and the script runs unchanged on Redis Cluster.
/// </summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private string Prefix => options.Value.KeyPrefix;

    /// <summary>A refresh-token family: user, hash of the current token.</summary>
    public RedisKey Session(Guid familyId) => $"{Prefix}{{session:{familyId:N}}}";

    /// <summary>Hashes of the family's recently spent tokens, to recognise a replayed one.</summary>
    public RedisKey SessionSpentTokens(Guid familyId) => $"{Prefix}{{session:{familyId:N}}}:spent";

    /// <summary>A password-reset token (by its SHA-256): the user it resets, for 30 minutes, once.</summary>
    public RedisKey PasswordReset(string tokenHash) => $"{Prefix}pwreset:{tokenHash}";

    /// <summary>The refresh-token families of one user, to end them all at once.</summary>
    public RedisKey UserSessions(Guid userId) => $"{Prefix}user-sessions:{userId:N}";

    /// <summary>Access tokens of the user issued at or before this Unix second are refused (kept as long as a token lives).</summary>
    public RedisKey AccessRevokedBefore(Guid userId) => $"{Prefix}revoked:{userId:N}";

    /// <summary>Present for a few seconds after the user wrote: their reads go to the primary.</summary>
    public RedisKey RecentWriter(Guid userId) => $"{Prefix}ryw:{userId:N}";


    // Likes are sharded: a post's like state, its shard's event stream and the shard's popularity
    // counters share the hash tag {likes:N}, so the like script touches a single slot.

    /// <summary>Which like shard a post belongs to; from the random tail of its UUIDv7, so posts spread evenly.</summary>
    public static int LikeShard(Guid postId, int shards)
    {
        Span<byte> bytes = stackalloc byte[16];
        postId.TryWriteBytes(bytes, bigEndian: true, out _);
        return (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]) % (uint)shards);
    }

    /// <summary>
    /// A post's live like state, one hash: field "#" is the count, and one field per user who likes it.
    /// One key, so eviction can never keep the count and lose the likers (or the reverse); its
    /// absence means "not loaded", and the state is rebuilt from MySQL plus pending events.
    /// </summary>
    public RedisKey LikeState(Guid postId, int shard) => $"{Prefix}{{likes:{shard}}}:post:{postId:N}";

    /// <summary>A SCAN pattern for every like state of the shard (and, longer, its rebuilds' staging hashes).</summary>
    public RedisValue LikeStatePattern(int shard) => $"{EscapeGlob(Prefix)}{{likes:{shard}}}:post:*";

    /// <summary>Whether a key the pattern found is a post's like state itself.</summary>
    public bool IsLikeState(RedisKey key, int shard)
    {
        var start = $"{Prefix}{{likes:{shard}}}:post:";
        var name = (string?)key ?? "";
        return name.StartsWith(start, StringComparison.Ordinal) && name.Length == start.Length + 32;
    }

    /// <summary>Set when a post is deleted: its like state must not come back (a rebuild or a like already under way).</summary>
    public RedisKey LikeGone(Guid postId, int shard) => $"{Prefix}{{likes:{shard}}}:gone:{postId:N}";

    /// <summary>Where a rebuild collects a post's likers before they replace the state in one step.</summary>
    public RedisKey LikeStaging(Guid postId, int shard, Guid rebuild) => $"{Prefix}{{likes:{shard}}}:post:{postId:N}:staging:{rebuild:N}";

    /// <summary>Like and unlike events of the shard, in order, waiting to be written to MySQL.</summary>
    public RedisKey LikeEvents(int shard) => $"{Prefix}{{likes:{shard}}}:events";

    /// <summary>Number of events ever appended to the shard's stream (the backlog is this minus the applied number).</summary>
    public RedisKey LikeSequence(int shard) => $"{Prefix}{{likes:{shard}}}:seq";

    /// <summary>Net likes per post of the shard in one UTC hour (yyyyMMddHH), for the popular feed.</summary>
    public RedisKey LikePopularHour(int shard, string hour) => $"{Prefix}{{likes:{shard}}}:popular:{hour}";

    /// <summary>A shard's 24-hour sum, built (by one builder) when a popular snapshot is taken.</summary>
    public RedisKey LikePopularWindow(int shard, Guid build) => $"{Prefix}{{likes:{shard}}}:popular:window:{build:N}";

    /// <summary>Which instance flushes the shard now; an efficiency, not a guarantee (the MySQL checkpoint is).</summary>
    public RedisKey LikeFlushLease(int shard) => $"{Prefix}{{likes:{shard}}}:lease";

    /// <summary>A ranked snapshot of the last 24 hours that popular-feed cursors point into.</summary>
    public RedisKey PopularSnapshot(long snapshot) => $"{Prefix}{{popular}}:snap:{snapshot}";

    /// <summary>The id of the newest popular snapshot, the one first pages are served from.</summary>
    public RedisKey PopularPointer() => $"{Prefix}{{popular}}:current";

    /// <summary>Held by the one instance building the next popular snapshot.</summary>
    public RedisKey PopularBuildLease() => $"{Prefix}{{popular}}:lease";

    /// <summary>A snapshot being built; renamed into place only if no other builder got there first.</summary>
    public RedisKey PopularSnapshotDraft(long snapshot, Guid build) => $"{Prefix}{{popular}}:snap:{snapshot}:draft:{build:N}";

    /// <summary>Everyone a user blocks or is blocked by (see Users.BlockList); with its version, one slot.</summary>
    public RedisKey BlockSet(Guid userId) => $"{Prefix}{{blocks:{userId:N}}}";

    /// <summary>Bumped by every block or unblock of the user, so a rebuild that raced one is not stored.</summary>
    public RedisKey BlockVersion(Guid userId) => $"{Prefix}{{blocks:{userId:N}}}:v";

    /// <summary>Everyone a user follows (see Users.FollowingSet); with its version, one slot.</summary>
    public RedisKey Following(Guid userId) => $"{Prefix}{{following:{userId:N}}}";

    /// <summary>Bumped by every follow or unfollow of the user, so a rebuild that raced one is not stored.</summary>
    public RedisKey FollowingVersion(Guid userId) => $"{Prefix}{{following:{userId:N}}}:v";

    // A user's notifications share the hash tag {notif:U}: every change is one script on one slot.

    /// <summary>The user's notification ids, scored by the time of their latest activity (ms).</summary>
    public RedisKey Notifications(Guid userId) => $"{Prefix}{{notif:{userId:N}}}:list";

    /// <summary>Each notification's fixed part (type, post, comment, actor), by id.</summary>
    public RedisKey NotificationData(Guid userId) => $"{Prefix}{{notif:{userId:N}}}:data";

    /// <summary>Who liked, for one grouped like notification: actor → time (ms).</summary>
    public RedisKey NotificationLikers(Guid userId, string notificationId) => $"{Prefix}{{notif:{userId:N}}}:likers:{notificationId}";

    /// <summary>The score up to which the user has read.</summary>
    public RedisKey NotificationsRead(Guid userId) => $"{Prefix}{{notif:{userId:N}}}:read";

    /// <summary>Every new notification of the user, for a push service to consume (capped).</summary>
    public RedisKey NotificationPush(Guid userId) => $"{Prefix}{{notif:{userId:N}}}:push";

    /// <summary>How far the notifier has read a like shard's event stream.</summary>
    public RedisKey LikeNotifiedThrough(int shard) => $"{Prefix}{{likes:{shard}}}:notified";

    /// <summary>Which instance turns a like shard's events into notifications now.</summary>
    public RedisKey LikeNotifierLease(int shard) => $"{Prefix}{{likes:{shard}}}:notify-lease";

    /// <summary>Failed sign-ins of one account (by the hash of its login), from one network or (null) from all.</summary>
    public RedisKey SignInFailures(string accountId, string? network = null) =>
        network is null ? $"{Prefix}{{signin:{accountId}}}:fail" : $"{Prefix}{{signin:{accountId}}}:fail:{network}";

    /// <summary>Networks the account signed in from successfully: exempt from its per-account failure ceiling.</summary>
    public RedisKey SignInKnownNetworks(string accountId) => $"{Prefix}{{signin:{accountId}}}:known";

    private static string EscapeGlob(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"[\\*?\[\]]", @"\$0");

    /// <summary>Partition of a shared rate limit; the limiter library adds its own suffixes.</summary>
    public string RateLimitPartition(string policy, string partition) => $"{Prefix}rl:{policy}:{partition}";
}
