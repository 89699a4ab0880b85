using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace FoodCommunity.Api.Posts;

/// <summary>What came of an attempt to create a post.</summary>
public abstract record PostCreation
{
    private PostCreation()
    {
    }

    public sealed record Created(Post Post) : PostCreation;

    /// <summary>The Idempotency-Key already created this post (which may since have been deleted).</summary>
    public sealed record AlreadyCreated(Guid PostId) : PostCreation;

    /// <summary>An image is already part of another post.</summary>
    public sealed record ImageTaken : PostCreation;

    /// <summary>An image is being deleted from the bucket (its post was deleted a while ago).</summary>
    public sealed record ImageGone(string Key) : PostCreation;
}

/// <summary>The transactions that create and delete posts, each keeping the users' post counters exact.</summary>
public sealed class PostWriter(FoodCommunityDbContext db, PostIdempotency idempotency, TimeProvider clock)
{
    public async Task<PostCreation> CreateAsync(
        Guid authorId, IReadOnlyList<ProcessedImage> images, string caption, IReadOnlyList<string> tags, byte[]? idempotencyKeyHash,
        CancellationToken cancellationToken)
    {
        var imageKeys = images.Select(i => i.Key).ToList();
        // Outside the post's transaction: a tag row locked until that commits would queue every post
        // of a popular tag behind it. A tag left over by a post that then fails is harmless.
        var tagIds = await EnsureTagsAsync(tags, cancellationToken);
        var strategy = db.Database.CreateExecutionStrategy();
        var outcome = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var post = new Post
            {
                AuthorId = authorId,
                Caption = caption,
                CreatedAt = clock.GetUtcNow(),
            };
            if (idempotencyKeyHash is not null && !await TryRecordKeyAsync(authorId, idempotencyKeyHash, post, cancellationToken))
            {
                return (PostCreation?)null;
            }

            // An image of a deleted post, posted again before the worker removed it, stays; one the
            // worker is already deleting cannot be used.
            if (await ImageDeletionQueue.TakeBackAsync(db, imageKeys, cancellationToken) is { } gone)
            {
                return new PostCreation.ImageGone(gone);
            }

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
                return new PostCreation.ImageTaken();
            }

            await db.Users.Where(u => u.Id == authorId)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.PostCount, x => x.PostCount + 1), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new PostCreation.Created(post);
        });
        if (outcome is not null)
        {
            return outcome;
        }

        // A concurrent request with the same key committed first: its post is the answer.
        return await idempotency.FindAsync(db, authorId, idempotencyKeyHash!, cancellationToken) is { } first
            ? new PostCreation.AlreadyCreated(first)
            : throw new InvalidOperationException("An Idempotency-Key collided with a row that is not there.");
    }

    /// <summary>
    /// Writes the key first in the transaction, so a concurrent duplicate blocks on it and then fails
    /// (false) instead of racing the post. The user's expired keys go in the same step.
    /// </summary>
    private async Task<bool> TryRecordKeyAsync(Guid authorId, byte[] keyHash, Post post, CancellationToken cancellationToken)
    {
        var oldest = idempotency.OldestKept;
        await db.PostIdempotencyKeys.Where(k => k.UserId == authorId && k.CreatedAt < oldest).ExecuteDeleteAsync(cancellationToken);
        var key = new PostIdempotencyKey { UserId = authorId, KeyHash = keyHash, PostId = post.Id, CreatedAt = post.CreatedAt };
        db.PostIdempotencyKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry })
        {
            db.Entry(key).State = EntityState.Detached;
            return false;
        }
    }

    /// <summary>
    /// Sets the caption and the tags and marks the post edited, in one transaction (tags created
    /// outside it, as for a new post). False when the post is gone.
    /// </summary>
    public async Task<bool> EditAsync(Guid postId, string caption, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        var tagIds = await EnsureTagsAsync(tags, cancellationToken);
        var now = clock.GetUtcNow();
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (await db.Posts.Where(p => p.Id == postId)
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.Caption, caption).SetProperty(x => x.EditedAt, now), cancellationToken) == 0)
            {
                return false;
            }

            await db.PostTags.Where(t => t.PostId == postId).ExecuteDeleteAsync(cancellationToken);
            db.PostTags.AddRange(tagIds.Select(tagId => new PostTag { PostId = postId, TagId = tagId }));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
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
            ImageDeletionQueue.Enqueue(db, keys, now);
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
