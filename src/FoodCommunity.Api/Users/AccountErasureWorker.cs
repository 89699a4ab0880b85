using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Feeds;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Likes;
using FoodCommunity.Api.Posts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FoodCommunity.Api.Users;

/// <summary>
/// Erases deleted accounts in the background, step by step, each step idempotent and repeated until
/// it finds nothing left, and the reached step recorded in MySQL: a process that dies mid-way leaves
/// its lease to expire and another instance resumes at that step. Other people's counters are
/// corrected exactly: likes are taken back through the like buffer (so the write-behind flush moves
/// like_count and the rows together), comments and follows in the transactions that delete them.
/// </summary>
public sealed partial class AccountErasureWorker(
    IServiceScopeFactory scopes, IOptions<AccountOptions> options, TimeProvider clock, ILogger<AccountErasureWorker> logger) : BackgroundService
{
    public const string FirstStep = "likes";
    private const string Done = "done";
    private const int Batch = 200;

    /// <summary>The steps in order: content first, the profile's personal data next, the row (and with it the username) last.</summary>
    private static readonly string[] Steps = [FirstStep, "comments", "follows", "blocks", "reports", "posts", "profile", "user", Done];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start: nothing here may delay or fail it.
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // MySQL, Redis or S3 unavailable: the lease lapses and the step is tried again.
                LogFailed(logger, e);
            }

            if (!worked)
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.ErasureIntervalSeconds), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Takes one account whose lease is free and runs its steps as far as they go; false when there was none.</summary>
    public async Task<bool> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<FoodCommunityDbContext>();
        if (await ClaimAsync(db, cancellationToken) is not { } job)
        {
            return false;
        }

        var step = Array.IndexOf(Steps, job.Step);
        while (Steps[step] != Done)
        {
            if (!await RunStepAsync(Steps[step], job, services, cancellationToken))
            {
                // Waiting (for the like flush, or the username hold): let go, come back later.
                await SetAsync(db, job.UserId, Steps[step], leaseUntil: null, cancellationToken);
                return true;
            }

            step++;
            await SetAsync(db, job.UserId, Steps[step], clock.GetUtcNow().AddSeconds(options.Value.ErasureLeaseSeconds), cancellationToken);
            LogStep(logger, job.UserId, Steps[step - 1]);
        }

        await db.AccountErasures.Where(e => e.UserId == job.UserId)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.CompletedAt, clock.GetUtcNow()).SetProperty(x => x.LeaseUntil, (DateTimeOffset?)null), cancellationToken);
        return true;
    }

    private async Task<AccountErasure?> ClaimAsync(FoodCommunityDbContext db, CancellationToken cancellationToken) =>
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = clock.GetUtcNow();
            var job = await db.AccountErasures
                .FromSql($"SELECT * FROM account_erasures WHERE completed_at IS NULL AND (lease_until IS NULL OR lease_until < {now}) ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED")
                .SingleOrDefaultAsync(cancellationToken);
            if (job is not null)
            {
                job.LeaseUntil = now.AddSeconds(options.Value.ErasureLeaseSeconds);
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return job;
        });

    private static Task SetAsync(FoodCommunityDbContext db, Guid userId, string step, DateTimeOffset? leaseUntil, CancellationToken cancellationToken) =>
        db.AccountErasures.Where(e => e.UserId == userId)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.Step, step).SetProperty(x => x.LeaseUntil, leaseUntil), cancellationToken);

    /// <summary>True when the step has nothing left to do; false when it must wait.</summary>
    private Task<bool> RunStepAsync(string step, AccountErasure job, IServiceProvider services, CancellationToken cancellationToken)
    {
        var erasure = new AccountErasureSteps(services, job.UserId, clock, cancellationToken);
        var now = clock.GetUtcNow();
        return step switch
        {
            "likes" => now < job.RequestedAt.AddSeconds(options.Value.LikeSettleSeconds) ? Task.FromResult(false) : erasure.TakeBackLikesAsync(),
            "comments" => erasure.DeleteCommentsAsync(Batch),
            "follows" => erasure.DeleteFollowsAsync(),
            "blocks" => erasure.DeleteBlocksAsync(),
            "reports" => erasure.DeleteReportsAsync(),
            "posts" => erasure.DeletePostsAsync(Batch),
            "profile" => erasure.EraseProfileAsync(),
            "user" => now < job.RequestedAt + options.Value.UsernameHold ? Task.FromResult(false) : erasure.DeleteUserAsync(),
            _ => throw new InvalidOperationException($"Unknown erasure step '{step}'."),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {UserId}: erasure step {Step} done")]
    private static partial void LogStep(ILogger logger, Guid userId, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account erasure failed; it is tried again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
