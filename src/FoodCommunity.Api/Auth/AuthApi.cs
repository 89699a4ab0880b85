using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Storage;
using FoodCommunity.Api.Users;
using FoodCommunity.Domain.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;
using FoodCommunity.Api.Infrastructure.Http;

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
            .WithSummary("Start a session with a username or e-mail address and a password.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/refresh", Refresh).WithName("Refresh").RequireRateLimiting(AuthRateLimits.RefreshPerIp)
            .WithSummary("Spend a refresh token for a new access token and the next refresh token. A spent token revokes its session.")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests);
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
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? username : request.DisplayName.Trim();
        var errors = new Dictionary<string, string[]>();
        errors.AddIfAny("username", AccountRules.DescribeUsernameProblem(username));
        errors.AddIfAny("email", AccountRules.DescribeEmailProblem(email));
        errors.AddIfAny("password", AccountRules.DescribePasswordProblem(request.Password ?? ""));
        errors.AddIfAny("displayName", AccountRules.DescribeDisplayNameProblem(displayName));
        if (errors.Count > 0)
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
            Email = request.Email!.Trim(),
            EmailNormalized = email,
            PasswordHash = "",
            DisplayName = displayName,
            CreatedAt = now,
            UpdatedAt = now,
        };
        user.PasswordHash = passwords.Hash(user, request.Password!);
        db.Users.Add(user);
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
        LoginRequest request, FoodCommunityDbContext db, Passwords passwords, AuthRateLimits limits,
        TokenIssuer issuer, ILogger<TokenIssuer> logger, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        errors.AddIfAny("login", string.IsNullOrWhiteSpace(request.Login) ? "Enter your username or e-mail address." : null);
        errors.AddIfAny("password", string.IsNullOrEmpty(request.Password) ? "Enter your password." : null);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var login = request.Login!.Trim().ToLowerInvariant();
        if (await limits.TryAcquireAsync(AuthRateLimits.LoginPerAccount, login, cancellationToken) is { } wait)
        {
            return TooManyRequests(http, wait);
        }

        var user = await db.Users
            .Where(u => login.Contains('@') ? u.EmailNormalized == login : u.Username == login)
            .SingleOrDefaultAsync(cancellationToken);
        var verdict = passwords.Verify(user, request.Password!);
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            LogFailedLogin(logger);
            return Unauthorized("The login or the password is wrong.");
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = passwords.Hash(user, request.Password!);
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Ok(await issuer.StartSessionAsync(user));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> Refresh(
        RefreshRequest request, FoodCommunityDbContext db, RefreshSessions sessions, AuthRateLimits limits,
        TokenIssuer issuer, ILogger<TokenIssuer> logger, HttpContext http, CancellationToken cancellationToken)
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

        switch (await sessions.RotateAsync(request.RefreshToken))
        {
            case RefreshOutcome.Rotated rotated:
                var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == rotated.UserId, cancellationToken);
                return user is null
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
        if (string.IsNullOrWhiteSpace(request.RefreshToken))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["refreshToken"] = ["A refresh token is required."] });
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
