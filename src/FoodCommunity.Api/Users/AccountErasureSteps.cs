using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Users;

/// <summary>
/// The steps of erasing one account (see <see cref="AccountErasureWorker"/>). Each can run again
/// after a crash and finds only what is left; each returns true once nothing is.
/// </summary>
internal sealed class AccountErasureSteps(IServiceProvider services, Guid userId, TimeProvider clock, CancellationToken cancellationToken)
{
    private FoodCommunityDbContext Db => services.GetRequiredService<FoodCommunityDbContext>();

    /// <summary>
    /// Every like is taken back through the like buffer, so the flush deletes the row and moves the
    /// post's like_count in one transaction, exactly as an unlike would. Done once no row is left.
    /// </summary>
    public async Task<bool> TakeBackLikesAsync()
    {
        var likes = services.GetRequiredService<LikeStore>();
        var liked = await Db.PostLikes.AsNoTracking().Where(l => l.UserId == userId).Select(l => l.PostId).Take(500).ToListAsync(cancellationToken);
        foreach (var postId in liked)
        {
            if (await likes.SetAsync(postId, userId, liked: false, Db, cancellationToken) is LikeOutcome.PostNotFound)
            {
                // The post is gone (its likes have no foreign key): the row is all that is left.
                await Db.PostLikes.Where(l => l.PostId == postId && l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            }
        }

        // Rows left are unlikes waiting for the flush: the step comes back for them.
        return liked.Count == 0;
    }

    public async Task<bool> DeleteCommentsAsync(int batch)
    {
        var db = Db;
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var comments = await db.Comments.FromSql($"SELECT * FROM comments WHERE author_id = {userId} LIMIT {batch} FOR UPDATE")
                .AsNoTracking().Select(c => new { c.Id, c.PostId }).ToListAsync(cancellationToken);
            var ids = comments.Select(c => c.Id).ToList();
            await db.Comments.Where(c => ids.Contains(c.Id)).ExecuteDeleteAsync(cancellationToken);
            foreach (var post in comments.GroupBy(c => c.PostId))
            {
                var count = post.Count();
                await db.Posts.Where(p => p.Id == post.Key)
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.CommentCount, x => x.CommentCount - count), cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            foreach (var postId in comments.Select(c => c.PostId).Distinct())
            {
                await services.GetRequiredService<FeedCache>().PostChangedAsync(postId);
            }

            return comments.Count < batch;
        });
    }

    /// <summary>Both ways, each with the other user's counter, under the same row locks a follow takes.</summary>
    public async Task<bool> DeleteFollowsAsync()
    {
        var db = Db;
        var others = await db.Follows.AsNoTracking().Where(f => f.FollowerId == userId).Select(f => f.FolloweeId)
            .Concat(db.Follows.AsNoTracking().Where(f => f.FolloweeId == userId).Select(f => f.FollowerId))
            .Distinct().ToListAsync(cancellationToken);
        foreach (var other in others)
        {
            await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await FollowsApi.LockPairAsync(db, userId, other, cancellationToken);
                await FollowsApi.EndBothWaysAsync(db, userId, other, cancellationToken);

                await transaction.CommitAsync(cancellationToken);
            });
            await services.GetRequiredService<FeedCache>().FollowChangedAsync(userId, other);
            await services.GetRequiredService<FeedCache>().FollowChangedAsync(other, userId);
        }

        return true;
    }

    public async Task<bool> DeleteBlocksAsync()
    {
        var db = Db;
        var others = await db.Blocks.AsNoTracking().Where(b => b.BlockerId == userId).Select(b => b.BlockedId)
            .Concat(db.Blocks.AsNoTracking().Where(b => b.BlockedId == userId).Select(b => b.BlockerId))
            .Distinct().ToListAsync(cancellationToken);
        await db.Blocks.Where(b => b.BlockerId == userId || b.BlockedId == userId).ExecuteDeleteAsync(cancellationToken);
        var blocks = services.GetRequiredService<BlockList>();
        foreach (var other in others)
        {
            await blocks.ChangedAsync(userId, other);
        }

        return true;
    }

    public async Task<bool> DeleteReportsAsync()
    {
        await Db.PostReports.Where(r => r.ReporterId == userId).ExecuteDeleteAsync(cancellationToken);
        return true;
    }

    /// <summary>Each post as its author's delete does it: comments, likes, reports and tags with it, its images queued for the bucket.</summary>
    public async Task<bool> DeletePostsAsync(int batch)
    {
        var posts = await Db.Posts.AsNoTracking().Where(p => p.AuthorId == userId).OrderBy(p => p.Id).Take(batch).ToListAsync(cancellationToken);
        var writer = services.GetRequiredService<PostWriter>();
        var feedCache = services.GetRequiredService<FeedCache>();
        foreach (var post in posts)
        {
            await writer.DeleteAsync(post, cancellationToken);
            await feedCache.ForgetPostAsync(post.Id, post.AuthorId);
        }

        return posts.Count < batch;
    }

    /// <summary>
    /// The personal data goes now (address, password, names, avatar, idempotency keys); the row stays,
    /// without them, only to hold the username until the hold ends.
    /// </summary>
    public async Task<bool> EraseProfileAsync()
    {
        var db = Db;
        var user = await db.Users.IgnoreQueryFilters().SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return true;
        }

        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (user.AvatarKey is { } avatar)
            {
                ImageDeletionQueue.Enqueue(db, [avatar], clock.GetUtcNow());
            }

            user.AvatarKey = null;
            user.Email = user.EmailNormalized = $"{userId:N}@deleted.invalid";
            user.PasswordHash = "";
            user.DisplayName = "";
            user.Bio = "";
            await db.SaveChangesAsync(cancellationToken);
            await db.PostIdempotencyKeys.Where(k => k.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await UserSearch.RemoveAsync(db, userId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        await services.GetRequiredService<Notifications.NotificationStore>().ForgetUserAsync(userId);
        // Again, in case the request's own revocation was lost with its process.
        await services.GetRequiredService<RefreshSessions>().RevokeAllAsync(userId);
        await services.GetRequiredService<AccessRevocation>().RevokeAllAsync(userId);
        return true;
    }

    public async Task<bool> DeleteUserAsync()
    {
        await Db.Users.IgnoreQueryFilters().Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);
        await services.GetRequiredService<FeedCache>().UsersChangedAsync(userId);
        return true;
    }
}
