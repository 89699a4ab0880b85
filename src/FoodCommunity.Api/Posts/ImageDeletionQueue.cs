using FoodCommunity.Api.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Posts;

/// <summary>
/// The queue of objects to delete from the bucket, as seen by the writers that give images up (a
/// deleted post, a replaced avatar) and take them (a post, an avatar). Both run inside the writer's
/// transaction; <see cref="ImageDeletionWorker"/> drains the queue.
/// </summary>
public static class ImageDeletionQueue
{
    public static void Enqueue(FoodCommunityDbContext db, IEnumerable<string> keys, DateTimeOffset now) =>
        db.ImageDeletions.AddRange(keys.Select(key => new ImageDeletion { ImageKey = key, CreatedAt = now }));

    /// <summary>
    /// Takes the keys off the queue for a writer that uses them again (a quick re-post). Null when they
    /// are free to use; otherwise a key the worker has already committed to deleting, which must not be
    /// used. The rows are locked, so the worker cannot claim one between this check and the commit.
    /// </summary>
    public static async Task<string?> TakeBackAsync(FoodCommunityDbContext db, IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        // Waits for a worker that holds these rows, then sees what it committed (a locking read).
        // Only generated placeholders ({0}, {1}, ...) are spliced in; the keys are parameters.
        var placeholders = string.Join(", ", keys.Select((_, i) => $"{{{i}}}"));
        var sql = $"SELECT * FROM image_deletions WHERE image_key IN ({placeholders}) FOR UPDATE";
        var queued = await db.ImageDeletions
            .FromSqlRaw(sql, keys.Cast<object>().ToArray())
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        if (queued.FirstOrDefault(d => d.DeletingAt is not null) is { } gone)
        {
            return gone.ImageKey;
        }

        if (queued.Count > 0)
        {
            var ids = queued.Select(d => d.Id).ToList();
            await db.ImageDeletions.Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
        }

        return null;
    }
}
