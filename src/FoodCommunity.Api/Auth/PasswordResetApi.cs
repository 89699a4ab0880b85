using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Http;
using FoodCommunity.Domain.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FoodCommunity.Api.Auth;

/// <param name="Email">The address of the account.</param>
public sealed record PasswordResetRequest(string? Email);

/// <param name="Token">The token from the link in the mail.</param>
/// <param name="NewPassword">10 to 128 characters.</param>
public sealed record PasswordResetConfirmation(string? Token, string? NewPassword);

public static class PasswordResetApi
{
    public static RouteGroupBuilder MapPasswordResetApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/auth/password-reset").WithTags("Auth").AllowAnonymous();
        group.MapPost("/", RequestReset).WithName("RequestPasswordReset").RequireRateLimiting(AuthRateLimits.PasswordResetPerIp)
            .WithSummary("Mail a single-use reset link (valid 30 minutes) to the account of this address. The answer is the same whether or not the address is known.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/confirm", ConfirmReset).WithName("ConfirmPasswordReset")
            .WithSummary("Set a new password with the token from the mail; every session of the account ends.");
        return group;
    }

    public static async Task<Results<Accepted, ValidationProblem, ProblemHttpResult>> RequestReset(
        PasswordResetRequest request, FoodCommunityDbContext db, PasswordResets resets, AuthRateLimits limits, HttpContext http,
        CancellationToken cancellationToken)
    {
        var email = AccountRules.NormalizeEmail(request.Email ?? "");
        if (AccountRules.DescribeEmailProblem(email) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = [problem] });
        }

        if (await limits.TryAcquireAsync(AuthRateLimits.PasswordResetPerAddress, PasswordResets.AddressPartition(email!), cancellationToken) is { } wait)
        {
            AuthRateLimits.SetRetryAfter(http, wait);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: "Too many reset requests for this address; retry after the time in Retry-After.");
        }

        await resets.RequestAsync(db, email!, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<Results<NoContent, ValidationProblem>> ConfirmReset(
        PasswordResetConfirmation request, FoodCommunityDbContext db, PasswordResets resets, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        errors.AddIfAny("newPassword", AccountRules.DescribePasswordProblem(request.NewPassword ?? ""));
        errors.AddIfAny("token", string.IsNullOrEmpty(request.Token) ? "The token from the mail is required." : null);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await resets.ConfirmAsync(db, request.Token!, request.NewPassword!, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["token"] = ["This link has expired or was already used; ask for a new one."] });
    }
}
