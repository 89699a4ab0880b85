using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Posts;

/// <summary>
/// Deletes the objects no post or profile uses any more from the bucket. The queue is a table written
/// in the same transaction as the change that gave the image up, so nothing is forgotten when a
/// process dies; every instance runs a worker, and SKIP LOCKED lets them share the queue. A round
/// first commits to deleting (the rows become tombstones that writers taking the key must respect,
/// see <see cref="ImageDeletionQueue.TakeBackAsync"/>), then deletes from the bucket, then records
/// that it did; a round that died between the two is taken up again after a while.
/// </summary>
public sealed partial class ImageDeletionWorker(
    IServiceScopeFactory scopes, IAmazonS3 s3, IOptions<StorageOptions> storage, TimeProvider clock, ILogger<ImageDeletionWorker> logger) : BackgroundService
{
    private const int BatchSize = 100;

    /// <summary>A claim older than this was abandoned by a process that died before confirming it.</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    /// <summary>Tombstones outlive any request that could still try to take their key.</summary>
    private static readonly TimeSpan TombstoneLifetime = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(storage.Value.ImageDeletionIntervalSeconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var deleted = 0;
            try
            {
                deleted = await DeleteBatchAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // MySQL or S3 unavailable: the rows stay queued (or claimed) for a later round.
                LogFailed(logger, e);
            }

            if (deleted < BatchSize)
            {
                await Task.Delay(interval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<int> DeleteBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var claimed = await ClaimAsync(db, cancellationToken);
        if (claimed.Count > 0)
        {
            // Deleting an object that is already gone succeeds, so a batch repeated after a crash is harmless.
            await s3.DeleteObjectsAsync(new DeleteObjectsRequest
            {
                BucketName = storage.Value.BucketName,
                // The upload (if still there), its renditions and its manifest.
                Objects = claimed.SelectMany(d => ObjectsOf(d.ImageKey)).Select(key => new KeyVersion { Key = key }).ToList(),
                Quiet = true,
            }, cancellationToken);
            var ids = claimed.Select(d => d.Id).ToList();
            var now = clock.GetUtcNow();
            await db.ImageDeletions.Where(d => ids.Contains(d.Id))
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.DeletedAt, now), cancellationToken);
            LogDeleted(logger, claimed.Count);
        }

        var purgeBefore = clock.GetUtcNow() - TombstoneLifetime;
        await db.ImageDeletions.Where(d => d.DeletedAt < purgeBefore).ExecuteDeleteAsync(cancellationToken);
        return claimed.Count;
    }

    /// <summary>
    /// One short transaction: the due rows (past the grace period, or abandoned claims), less the keys
    /// a post or profile uses again, are marked as being deleted. From its commit on, no writer can take
    /// those keys; writers that took a key first hold its row, which SKIP LOCKED passes over.
    /// </summary>
    private async Task<List<ImageDeletion>> ClaimAsync(FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var dueBefore = now.AddSeconds(-storage.Value.ImageDeletionDelaySeconds);
            var abandonedBefore = now - AbandonedAfter;
            var batch = await db.ImageDeletions
                // Only entries past the grace period: an image posted again soon after its post was deleted
                // (a re-post) takes its entry off the queue before the worker can reach it.
                .FromSql($"""
                    SELECT * FROM image_deletions
                    WHERE (deleting_at IS NULL AND created_at < {dueBefore}) OR (deleted_at IS NULL AND deleting_at < {abandonedBefore})
                    ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                    """)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return [];
            }

            var keys = batch.Select(d => d.ImageKey).ToList();
            var inUse = (await db.PostImages.Where(i => keys.Contains(i.ImageKey)).Select(i => i.ImageKey)
                    .Concat(db.Users.Where(u => u.AvatarKey != null && keys.Contains(u.AvatarKey)).Select(u => u.AvatarKey!))
                    .ToListAsync(cancellationToken))
                .ToHashSet();
            db.ImageDeletions.RemoveRange(batch.Where(d => inUse.Contains(d.ImageKey)));
            var claimed = batch.Where(d => !inUse.Contains(d.ImageKey)).ToList();
            foreach (var deletion in claimed)
            {
                deletion.DeletingAt = now;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return claimed;
        });

    private static IEnumerable<string> ObjectsOf(string key) =>
        UploadKey.TryParse(key, out var upload) ? ImageRenditions.AllObjectKeys(upload) : [key];

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} unused image(s) from the bucket")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting unused images failed; they stay queued")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
