using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace FoodCommunity.Api.Posts;

/// <summary>The transactions that create and delete posts, each keeping the users' post counters exact.</summary>
public sealed class PostWriter(FoodCommunityDbContext db, TimeProvider clock)
{
    /// <summary>Null when one of the image keys is already attached to another post.</summary>
    public async Task<Post?> CreateAsync(Guid authorId, IReadOnlyList<ProcessedImage> images, string caption, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var imageKeys = images.Select(i => i.Key).ToList();
        // Outside the post's transaction: a tag row locked until that commits would queue every post
        // of a popular tag behind it. A tag left over by a post that then fails is harmless.
        var tagIds = await EnsureTagsAsync(tags, cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // An image of a deleted post, posted again before the worker removed it: it stays.
            await db.ImageDeletions.Where(d => imageKeys.Contains(d.ImageKey)).ExecuteDeleteAsync(cancellationToken);
            var post = new Post
            {
                AuthorId = authorId,
                Caption = caption,
                CreatedAt = clock.GetUtcNow(),
            };
            post.Images.AddRange(images.Select((image, position) => new PostImage
            {
                PostId = post.Id,
                Position = (byte)position,
                ImageKey = image.Key,
                Width = image.Width,
                Height = image.Height,
            }));
            post.Tags.AddRange(tagIds.Select(tagId => new PostTag { PostId = post.Id, TagId = tagId }));
            db.Posts.Add(post);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (e.InnerException is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry })
            {
                return null;
            }

            await db.Users.Where(u => u.Id == authorId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.PostCount, x => x.PostCount + 1), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return post;
        });
    }

    /// <summary>
    /// Removes the post with its images, tags, comments, reports and like rows, and queues its
    /// objects for deletion from the bucket (see <see cref="ImageDeletionWorker"/>).
    /// </summary>
    public async Task DeleteAsync(Post post, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var keys = await db.PostImages.Where(i => i.PostId == post.Id).Select(i => i.ImageKey).ToListAsync(cancellationToken);
            db.ImageDeletions.AddRange(keys.Select(key => new ImageDeletion { ImageKey = key, CreatedAt = now }));
            await db.SaveChangesAsync(cancellationToken);
            // Likes have no foreign key (see PostLikeConfiguration); the rest cascades from posts.
            await db.PostLikes.Where(l => l.PostId == post.Id).ExecuteDeleteAsync(cancellationToken);
            var deleted = await db.Posts.Where(p => p.Id == post.Id).ExecuteDeleteAsync(cancellationToken);
            if (deleted == 1)
            {
                await db.Users.Where(u => u.Id == post.AuthorId)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.PostCount, x => x.PostCount - 1), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        });
    }

    /// <summary>
    /// The tags' ids, creating those that do not exist yet (each statement on its own, so no lock
    /// outlives it; a concurrent creator of the same tag is fine).
    /// </summary>
    private async Task<List<long>> EnsureTagsAsync(IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        if (tags.Count == 0)
        {
            return [];
        }

        var existing = await db.Tags.AsNoTracking().Where(t => tags.Contains(t.Name)).Select(t => new { t.Id, t.Name }).ToListAsync(cancellationToken);
        var missing = tags.Except(existing.Select(t => t.Name), StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return existing.Select(t => t.Id).ToList();
        }

        var values = string.Join(", ", missing.Select((_, i) => $"(@t{i})"));
        var parameters = missing.Select((tag, i) => new MySqlParameter($"@t{i}", tag)).ToArray<object>();
        // Only generated placeholders are spliced in; the tags are parameters.
        var upsert = $"INSERT INTO tags (name) VALUES {values} ON DUPLICATE KEY UPDATE name = name";
        await db.Database.ExecuteSqlRawAsync(upsert, parameters, cancellationToken);
        return await db.Tags.Where(t => tags.Contains(t.Name)).Select(t => t.Id).ToListAsync(cancellationToken);
    }
}
