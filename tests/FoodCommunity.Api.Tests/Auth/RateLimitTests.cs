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
    public async Task Login_FailuresFromOneNetwork_Answer429WithRetryAfter_AcrossTwoInstances()
    {
        const int limit = 4;
        var settings = new Dictionary<string, string?>
        {
            ["RateLimits:LoginFailuresPerAccountNetwork:PermitLimit"] = $"{limit}",
            ["RateLimits:LoginFailuresPerAccountNetwork:WindowSeconds"] = "120",
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
    public async Task Login_SuccessfulSignIns_DoNotCountTowardsTheLimit()
    {
        await using var api = ApiFactory.WithOwnState(new Dictionary<string, string?>
        {
            ["RateLimits:LoginFailuresPerAccountNetwork:PermitLimit"] = "2",
            ["RateLimits:LoginFailuresPerAccount:PermitLimit"] = "2",
        });
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var username = ApiClient.NewUsername();
        await client.RegisterAsync(username);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostJsonAsync("/api/v1/auth/login", new { login = username, password = ApiClient.Password });
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task Login_AStrangerHammeringAnAccount_DoesNotLockTheOwnerOut_ButIsStopped()
    {
        // Tight per network, looser per account: the attacker spreads over many addresses and reaches
        // the per-account ceiling; the owner's network, where they signed in before, is exempt from it.
        await using var api = ApiFactory.WithOwnState(new Dictionary<string, string?>
        {
            ["RateLimits:LoginFailuresPerAccountNetwork:PermitLimit"] = "3",
            ["RateLimits:LoginFailuresPerAccount:PermitLimit"] = "10",
        });
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var username = ApiClient.NewUsername();
        await client.RegisterAsync(username);
        const string owner = "198.51.100.7";
        Assert.Equal(HttpStatusCode.OK, await LoginFromAsync(client, owner, username, ApiClient.Password));

        var attacker = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            attacker.Add(await LoginFromAsync(client, $"203.0.113.{i / 3 + 1}", username, "guessed password"));
        }

        var ownerAfter = await LoginFromAsync(client, owner, username, ApiClient.Password);
        var ownerTypo = await LoginFromAsync(client, owner, username, "owner's typo!");
        var freshAttackerAddress = await LoginFromAsync(client, "192.0.2.200", username, ApiClient.Password);

        Assert.Equal(10, attacker.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(20, attacker.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, ownerAfter);
        Assert.Equal(HttpStatusCode.Unauthorized, ownerTypo);
        // Even the right password is refused from an unknown network while the account is under attack.
        Assert.Equal(HttpStatusCode.TooManyRequests, freshAttackerAddress);
    }

    [Fact]
    public async Task Login_IPv6ClientsAreCountedPerSlash64()
    {
        await using var api = ApiFactory.WithOwnState(new Dictionary<string, string?>
        {
            ["RateLimits:LoginFailuresPerAccountNetwork:PermitLimit"] = "3",
        });
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var username = ApiClient.NewUsername();
        await client.RegisterAsync(username);

        var sameSlash64 = new List<HttpStatusCode>();
        for (var i = 1; i <= 4; i++)
        {
            sameSlash64.Add(await LoginFromAsync(client, $"2001:db8:1:2::{i:x}", username, "guessed password"));
        }

        var otherSlash64 = await LoginFromAsync(client, "2001:db8:1:3::1", username, "guessed password");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], sameSlash64);
        Assert.Equal(HttpStatusCode.Unauthorized, otherSlash64);
    }

    /// <summary>A sign-in as the load balancer forwards it: the client's address in X-Forwarded-For.</summary>
    private static async Task<HttpStatusCode> LoginFromAsync(HttpClient client, string address, string login, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { login, password }),
        };
        request.Headers.Add("X-Forwarded-For", address);
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
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
