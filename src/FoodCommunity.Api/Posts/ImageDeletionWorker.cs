using Amazon.S3;
using Amazon.S3.Model;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Domain.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Posts;

/// <summary>
/// Deletes the objects of deleted posts from the bucket. The queue is a table written in the same
/// transaction as the deletion, so nothing is forgotten when a process dies; every instance runs a
/// worker, and SKIP LOCKED lets them share the queue without taking the same rows.
/// </summary>
public sealed partial class ImageDeletionWorker(
    IServiceScopeFactory scopes, IAmazonS3 s3, IOptions<StorageOptions> storage, TimeProvider clock, ILogger<ImageDeletionWorker> logger) : BackgroundService
{
    private const int BatchSize = 100;

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
                // MySQL or S3 unavailable: the rows stay queued for the next round.
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
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var batch = await db.ImageDeletions
                // Only entries past the grace period: an image posted again soon after its post was deleted
                // (a re-post) takes its entry off the queue before the worker can reach it.
                .FromSql($"SELECT * FROM image_deletions WHERE created_at < {clock.GetUtcNow().AddSeconds(-storage.Value.ImageDeletionDelaySeconds)} ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return 0;
            }

            // A key a post or a profile uses again is not deleted, only dequeued.
            var keys = batch.Select(d => d.ImageKey).ToList();
            var inUse = (await db.PostImages.Where(i => keys.Contains(i.ImageKey)).Select(i => i.ImageKey)
                    .Concat(db.Users.Where(u => u.AvatarKey != null && keys.Contains(u.AvatarKey)).Select(u => u.AvatarKey!))
                    .ToListAsync(cancellationToken))
                .ToHashSet();
            var unused = keys.Where(key => !inUse.Contains(key)).ToList();
            if (unused.Count > 0)
            {
                // Deleting an object that is already gone succeeds, so a batch repeated after a crash is harmless.
                await s3.DeleteObjectsAsync(new DeleteObjectsRequest
                {
                    BucketName = storage.Value.BucketName,
                    // The upload (if still there), its renditions and its manifest.
                    Objects = unused.SelectMany(ObjectsOf).Select(key => new KeyVersion { Key = key }).ToList(),
                    Quiet = true,
                }, cancellationToken);
            }
            db.ImageDeletions.RemoveRange(batch);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogDeleted(logger, batch.Count);
            return batch.Count;
        });
    }

    private static IEnumerable<string> ObjectsOf(string key) =>
        UploadKey.TryParse(key, out var upload) ? ImageRenditions.AllObjectKeys(upload) : [key];

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} image(s) of deleted posts from the bucket")]
    private static partial void LogDeleted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting images of deleted posts failed; they stay queued")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
