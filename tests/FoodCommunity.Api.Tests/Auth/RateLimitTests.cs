using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Auth;

/// <summary>
/// Limits are counted in Redis: two API instances behind the ALB share one budget.
/// Each test has a key prefix of its own, so no other test's requests count against its budget.
/// </summary>
public sealed class RateLimitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_PerAccount_TheAttemptAfterTheLimit_Answers429WithRetryAfter_AcrossTwoInstances()
    {
        const int limit = 4;
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits:LoginPerAccount:PermitLimit"] = $"{limit}",
            ["RateLimits:LoginPerAccount:WindowSeconds"] = "120",
        };
        await using var first = ApiFactory.WithOwnState(settings);
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first, settings);
        using var a = first.CreateClient();
        using var b = second.CreateClient();
        var username = ApiClient.NewUsername();
        await a.RegisterAsync(username);

        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < limit; attempt++)
        {
            using var response = await (attempt % 2 == 0 ? a : b).PostJsonAsync("/api/v1/auth/login", new { login = username, password = "wrong password!" });
            statuses.Add(response.StatusCode);
        }

        using var limited = await b.PostJsonAsync("/api/v1/auth/login", new { login = username, password = ApiClient.Password });
        using var otherAccount = await a.PostJsonAsync("/api/v1/auth/login", new { login = ApiClient.NewUsername(), password = "wrong password!" });

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(120));
        Assert.Equal(HttpStatusCode.Unauthorized, otherAccount.StatusCode);
    }

    [Fact]
    public async Task Register_PerClientIp_TheRequestAfterTheLimit_Answers429_AcrossTwoInstances()
    {
        const int limit = 3;
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits:RegisterPerIp:PermitLimit"] = $"{limit}",
            ["RateLimits:RegisterPerIp:WindowSeconds"] = "120",
        };
        await using var first = ApiFactory.WithOwnState(settings);
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first, settings);
        using var a = first.CreateClient();
        using var b = second.CreateClient();

        for (var i = 0; i < limit; i++)
        {
            await (i % 2 == 0 ? a : b).RegisterAsync();
        }

        var username = ApiClient.NewUsername();
        using var limited = await a.PostJsonAsync("/api/v1/auth/register",
            new { username, email = $"{username}@example.com", password = ApiClient.Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        using var created = await a.GetAsync($"/api/v1/users/{username}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, created.StatusCode);
    }
}
