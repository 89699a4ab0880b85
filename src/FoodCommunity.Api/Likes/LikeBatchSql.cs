using System.Globalization;
using System.Text;
using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace FoodCommunity.Api.Likes;

/// <summary>
/// The SQL of one like batch, inside the flusher's transaction (<see cref="LikeFlusher"/> owns the
/// leases, the checkpoint and the rounds): the posts' rows locked in id order, the likes inserted and
/// deleted as the events' final states say, each post's like_count adjusted once.
/// </summary>
internal static class LikeBatchSql
{
    /// <summary>
    /// The batch's net effect per (post, user), against the rows as they are: inserts, deletes and
    /// one like_count adjustment per post. Posts deleted meanwhile are skipped. Returns rows written and
    /// the deleted posts the batch named.
    /// </summary>
    public static async Task<(long Rows, IReadOnlyList<Guid> DeletedPosts)> ApplyAsync(FoodCommunityDbContext db, List<LikeEvent> events, CancellationToken cancellationToken)
    {
        var finalState = new Dictionary<(Guid Post, Guid User), bool>();
        foreach (var change in events)
        {
            finalState[(Guid.ParseExact(change.Post, "N"), Guid.ParseExact(change.User, "N"))] = change.Liked;
        }

        var postIds = finalState.Keys.Select(k => k.Post).Distinct().Order().ToList();
        // Locking the posts' rows also keeps a concurrent post deletion from interleaving.
        // Only generated placeholders are spliced into this SQL and the statements below; values are parameters.
        var lockPosts = $"SELECT id AS Value FROM posts WHERE id IN ({Placeholders(postIds.Count)}) ORDER BY id FOR UPDATE";
        var livePosts = (await db.Database
                .SqlQueryRaw<Guid>(lockPosts, Parameters(postIds))
                .ToListAsync(cancellationToken))
            .ToHashSet();
        var deletedPosts = postIds.Where(id => !livePosts.Contains(id)).ToList();
        var changes = finalState.Where(kv => livePosts.Contains(kv.Key.Post)).ToList();
        if (changes.Count == 0)
        {
            return (0, deletedPosts);
        }

        var userIds = changes.Select(c => c.Key.User).Distinct().ToList();
        var live = livePosts.ToList();
        var existing = (await db.PostLikes.AsNoTracking()
                .Where(l => live.Contains(l.PostId) && userIds.Contains(l.UserId))
                .Select(l => new { l.PostId, l.UserId })
                .ToListAsync(cancellationToken))
            .Select(l => (l.PostId, l.UserId))
            .ToHashSet();
        var inserts = changes.Where(c => c.Value && !existing.Contains(c.Key)).Select(c => c.Key).ToList();
        var deletes = changes.Where(c => !c.Value && existing.Contains(c.Key)).Select(c => c.Key).ToList();
        var now = DateTimeOffset.UtcNow;
        if (inserts.Count > 0)
        {
            var values = string.Join(", ", inserts.Select((_, i) => $"(@p{i * 2}, @p{(i * 2) + 1}, @now)"));
            var parameters = inserts.SelectMany(k => new object[] { k.Post, k.User }).Select((v, i) => new MySqlParameter($"@p{i}", v)).ToList<object>();
            parameters.Add(new MySqlParameter("@now", now.UtcDateTime));
            var insert = $"INSERT INTO post_likes (post_id, user_id, created_at) VALUES {values}";
            await db.Database.ExecuteSqlRawAsync(insert, parameters, cancellationToken);
        }

        foreach (var group in deletes.GroupBy(k => k.Post))
        {
            var users = group.Select(k => k.User).ToList();
            await db.PostLikes.Where(l => l.PostId == group.Key && users.Contains(l.UserId)).ExecuteDeleteAsync(cancellationToken);
        }

        var deltas = inserts.GroupBy(k => k.Post).ToDictionary(g => g.Key, g => g.Count());
        foreach (var group in deletes.GroupBy(k => k.Post))
        {
            deltas[group.Key] = deltas.GetValueOrDefault(group.Key) - group.Count();
        }

        var adjusted = deltas.Where(d => d.Value != 0).ToList();
        if (adjusted.Count > 0)
        {
            // One statement for the whole batch: each hot post's row is updated once per batch, not once per like.
            var sql = new StringBuilder("UPDATE posts SET like_count = GREATEST(0, like_count + CASE id");
            var parameters = new List<object>();
            for (var i = 0; i < adjusted.Count; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $" WHEN @id{i} THEN @d{i}");
                parameters.Add(new MySqlParameter($"@id{i}", adjusted[i].Key));
                parameters.Add(new MySqlParameter($"@d{i}", adjusted[i].Value));
            }

            sql.Append(CultureInfo.InvariantCulture, $" ELSE 0 END) WHERE id IN ({string.Join(", ", adjusted.Select((_, i) => $"@id{i}"))})");
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }

        return (inserts.Count + deletes.Count + adjusted.Count, deletedPosts);
    }

    private static string Placeholders(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@p{i}"));

    private static object[] Parameters(IReadOnlyList<Guid> ids) => ids.Select((id, i) => (object)new MySqlParameter($"@p{i}", id)).ToArray();
}
