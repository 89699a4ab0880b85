using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Http;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace FoodCommunity.Api.Auth;

public static partial class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth").WithTags("Auth").AllowAnonymous();

        group.MapPost("/register", Register).WithName("Register").RequireRateLimiting(AuthRateLimits.RegisterPerIp)
            .WithSummary("Create an account and start a session.")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/login", Login).WithName("Login").RequireRateLimiting(AuthRateLimits.LoginPerIp)
            .WithSummary("Start a session with a username or e-mail address and a password. A suspended account is refused with 403 and suspendedUntil.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/refresh", Refresh).WithName("Refresh").RequireRateLimiting(AuthRateLimits.RefreshPerIp)
            .WithSummary("Spend a refresh token for a new access token and the next refresh token. A spent token revokes its session.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/logout", Logout).WithName("Logout")
            .WithSummary("End the session the refresh token belongs to.");
        return group;
    }

    public static async Task<Results<Created<TokenResponse>, ValidationProblem, ProblemHttpResult>> Register(
        RegisterRequest request, FoodCommunityDbContext db, Passwords passwords, AuthRateLimits limits,
        TokenIssuer issuer, ReadDatabase reads, TimeProvider clock, HttpContext http, CancellationToken cancellationToken)
    {
        var username = AccountRules.NormalizeUsername(request.Username ?? "");
        var email = AccountRules.NormalizeEmail(request.Email ?? "");
        // An absent or blank display name defaults to the username.
        var displayName = request.DisplayName is null ? username : AccountRules.NormalizeDisplayName(request.DisplayName);
        displayName = displayName is "" ? username : displayName;
        var errors = new Dictionary<string, string[]>();
        errors.AddIfAny("username", AccountRules.DescribeUsernameProblem(username));
        errors.AddIfAny("email", AccountRules.DescribeEmailProblem(email));
        errors.AddIfAny("password", AccountRules.DescribePasswordProblem(request.Password ?? ""));
        errors.AddIfAny("displayName", AccountRules.DescribeDisplayNameProblem(displayName));
        if (errors.Count > 0 || username is null || email is null || displayName is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await limits.TryAcquireAsync(AuthRateLimits.RegisterPerUsername, username, cancellationToken) is { } wait)
        {
            return TooManyRequests(http, wait);
        }

        var taken = await db.Users.AsNoTracking()
            .Where(u => u.Username == username || u.EmailNormalized == email)
            .Select(u => new { u.Username, u.EmailNormalized })
            .ToListAsync(cancellationToken);
        if (taken.Count > 0)
        {
            return Conflict(taken.Any(u => u.Username == username), taken.Any(u => u.EmailNormalized == email));
        }

        var now = clock.GetUtcNow();
        var user = new User
        {
            Username = username,
            Email = email,
            EmailNormalized = email,
            PasswordHash = "",
            DisplayName = displayName,
            CreatedAt = now,
            UpdatedAt = now,
        };
        user.PasswordHash = passwords.Hash(user, request.Password!);
        db.Users.Add(user);
        UserSearch.AddNew(db, user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is MySqlException { ErrorCode: MySqlErrorCode.DuplicateKeyEntry } duplicate)
        {
            // Lost a race with a concurrent registration of the same name or address.
            var onUsername = duplicate.Message.Contains("username", StringComparison.OrdinalIgnoreCase);
            return Conflict(onUsername, !onUsername);
        }

        await reads.MarkWriteAsync(user.Id);
        return TypedResults.Created("/api/v1/me", await issuer.StartSessionAsync(user));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, FoodCommunityDbContext db, Passwords passwords, SignInThrottle throttle,
        TokenIssuer issuer, TimeProvider clock, ILogger<TokenIssuer> logger, HttpContext http, CancellationToken cancellationToken)
    {
        // Bounded before anything else: a login longer than any address cannot match an account.
        var login = AccountRules.NormalizeLogin(request.Login ?? "");
        var errors = new Dictionary<string, string[]>();
        errors.AddIfAny("login", string.IsNullOrEmpty(login) ? $"Enter your username or e-mail address (at most {AccountRules.EmailMaxLength} characters)." : null);
        errors.AddIfAny("password", request.Password is not { Length: > 0 and <= AccountRules.PasswordMaxLength }
            ? $"Enter your password (at most {AccountRules.PasswordMaxLength} characters)." : null);
        if (errors.Count > 0 || login is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var network = ClientNetwork.Of(http);
        if (await throttle.CheckAsync(login, network) is { } wait)
        {
            return TooManyRequests(http, wait);
        }

        var user = await db.Users
            .Where(u => login.Contains('@') ? u.EmailNormalized == login : u.Username == login)
            .SingleOrDefaultAsync(cancellationToken);
        var verdict = passwords.Verify(user, request.Password!);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            await throttle.RecordFailureAsync(login, network);
            LogFailedLogin(logger);
            return Unauthorized("The login or the password is wrong.");
        }

        if (user.SuspendedUntil is { } until && until > clock.GetUtcNow())
        {
            return Suspended(until);
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = passwords.Hash(user, request.Password!);
            await db.SaveChangesAsync(cancellationToken);
        }

        await throttle.RecordSuccessAsync(login, network);
        return TypedResults.Ok(await issuer.StartSessionAsync(user));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, FoodCommunityDbContext db, RefreshSessions sessions, AuthRateLimits limits,
        TokenIssuer issuer, TimeProvider clock, ILogger<TokenIssuer> logger, HttpContext http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["A refresh token is required."] });
        }

        if (RefreshSessions.FamilyOf(request.RefreshToken) is { } family
            && await limits.TryAcquireAsync(AuthRateLimits.RefreshPerSession, family.ToString("N"), cancellationToken) is { } wait)
        {
            return TooManyRequests(http, wait);
        }

        // The account is read before the token is spent: if MySQL fails here, the client's token still works.
        var user = await sessions.FindUserAsync(request.RefreshToken) is { } owner
            ? await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == owner, cancellationToken)
            : null;
        if (user?.SuspendedUntil is { } until && until > clock.GetUtcNow())
        {
            await sessions.RevokeAsync(request.RefreshToken);
            return Suspended(until);
        }

        switch (await sessions.RotateAsync(request.RefreshToken))
        {
            case RefreshOutcome.Rotated rotated:
                return user is null || user.Id != rotated.UserId
                    ? AccountGone()
                    : TypedResults.Ok(issuer.Issue(user, rotated.NewToken));
            case RefreshOutcome.ReuseDetected reuse:
                LogReuse(logger, reuse.UserId);
                return Unauthorized("This refresh token was already used; the session has been ended. Log in again.");
            default:
                return Unauthorized("The refresh token is unknown or expired. Log in again.");
        }
    }

    public static async Task<Results<NoContent, ValidationProblem>> Logout(LogoutRequest request, RefreshSessions sessions)
    {
        if (string.IsNullOrWhiteSpace(request.RefreshToken) || RefreshSessions.FamilyOf(request.RefreshToken) is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["A refresh token, as the API issued it, is required."] });
        }

        // Idempotent: a session that is already over is as logged out as one ended now.
        await sessions.RevokeAsync(request.RefreshToken);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult Conflict(bool username, bool email)
    {
        var errors = new Dictionary<string, object?>();
        if (username)
        {
            errors["username"] = new[] { "This username is taken." };
        }

        if (email)
        {
            errors["email"] = new[] { "An account with this e-mail address exists." };
        }

        return TypedResults.Problem(
            statusCode: StatusCodes.Status409Conflict,
            title: "Already registered",
            detail: username ? "This username is taken." : "An account with this e-mail address exists.",
            extensions: new Dictionary<string, object?> { ["errors"] = errors });
    }

    /// <summary>403 for a suspended account, saying until when (also as <c>suspendedUntil</c>).</summary>
    private static ProblemHttpResult Suspended(DateTimeOffset until) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Account suspended",
            detail: until >= Moderation.ModerationApi.Indefinitely
                ? "This account is suspended until a moderator lifts the suspension."
                : $"This account is suspended until {until.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.",
            extensions: new Dictionary<string, object?> { ["suspendedUntil"] = until });

    /// <summary>A token whose user has since been deleted: the client must sign in again.</summary>
    internal static ProblemHttpResult AccountGone() => Unauthorized("The account no longer exists.");

    private static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);

    private static ProblemHttpResult TooManyRequests(HttpContext http, TimeSpan retryAfter)
    {
        AuthRateLimits.SetRetryAfter(http, retryAfter);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
            detail: "Too many attempts; retry after the time in Retry-After.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Failed login")]
    private static partial void LogFailedLogin(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token reuse for user {UserId}: session family revoked")]
    private static partial void LogReuse(ILogger logger, Guid userId);
}
