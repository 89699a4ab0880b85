using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Infrastructure.Data;

internal static partial class MigrationCommand
{
    /// <summary>
    /// Applies pending migrations and returns the process exit code. Run once per deployment
    /// (compose's migrate service, the dev script, a pre-deploy step), never by every API instance at start.
    /// </summary>
    public static async Task<int> MigrateDatabaseAsync(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MigrationCommand));
        try
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            LogPending(logger, pending.Count, string.Join(", ", pending));
            await MigrateAsync(db, app.Lifetime.ApplicationStopping);
            LogDone(logger);
            return 0;
        }
#pragma warning disable CA1031 // The migrator reports any failure as an exit code, with the cause logged.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(logger, e);
            return 1;
        }
    }

    /// <summary>Inside the provider's execution strategy, so a dropped connection is retried rather than fatal.</summary>
    public static async Task MigrateAsync(FoodCommunityDbContext db, CancellationToken cancellationToken)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(db, static (database, ct) => database.Database.MigrateAsync(ct), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applying {Count} pending migration(s): {Migrations}")]
    private static partial void LogPending(ILogger logger, int count, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Database is up to date")]
    private static partial void LogDone(ILogger logger);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Migration failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
