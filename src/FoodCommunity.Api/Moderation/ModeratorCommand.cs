using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Domain.Accounts;
using Microsoft.EntityFrameworkCore;

namespace FoodCommunity.Api.Moderation;

/// <summary>
/// <c>dotnet FoodCommunity.Api.dll moderator grant|revoke USERNAME</c>: an operator gives or takes
/// the moderator role; it is recorded like every moderation action. The role reaches the user's
/// access tokens at their next sign-in or refresh (within 15 minutes).
/// </summary>
internal static partial class ModeratorCommand
{
    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ModeratorCommand));
        if (args is not ["moderator", ("grant" or "revoke") and var verb, var username])
        {
            LogUsage(logger);
            return 2;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>();
        var normalized = AccountRules.NormalizeUsername(username);
        var user = normalized is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Username == normalized);
        if (user is null)
        {
            LogUnknown(logger, username);
            return 1;
        }

        user.IsModerator = verb == "grant";
        db.ModerationActions.Add(new ModerationAction
        {
            Action = user.IsModerator ? ModerationAction.GrantModerator : ModerationAction.RevokeModerator,
            UserId = user.Id,
            Reason = "operator command",
            CreatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
        LogDone(logger, verb, user.Username);
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage: moderator grant|revoke <username>")]
    private static partial void LogUsage(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "No user is called {Username}")]
    private static partial void LogUnknown(ILogger logger, string username);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moderator role: {Verb} for {Username}")]
    private static partial void LogDone(ILogger logger, string verb, string username);
}
