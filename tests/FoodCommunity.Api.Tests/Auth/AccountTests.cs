using System.Net;
using System.Net.Http.Json;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Infrastructure.Redis;
using FoodCommunity.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Auth;

public sealed class AccountTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Register_Answers201WithTokens_AndMeShowsTheNewProfile()
    {
        var username = ApiClient.NewUsername("Cook");

        var tokens = await _client.RegisterAsync(username, displayName: "Head Cook");
        using var me = await _client.GetAsync("/api/v1/me", tokens.AccessToken);

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(username.ToLowerInvariant(), tokens.User.Username);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var profile = await me.ReadJsonAsync();
        Assert.Equal(tokens.User.Id, profile.GetProperty("id").GetString());
        Assert.Equal("Head Cook", profile.GetProperty("displayName").GetString());
        Assert.Equal(0, profile.GetProperty("postCount").GetInt32());
        Assert.False(profile.GetProperty("followedByMe").GetBoolean());
    }

    [Fact]
    public async Task Register_NeverReturnsOrStoresThePasswordInClear()
    {
        var username = ApiClient.NewUsername();
        using var response = await _client.PostJsonAsync("/api/v1/auth/register",
            new { username, email = $"{username}@example.com", password = ApiClient.Password });
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain(ApiClient.Password, body, StringComparison.Ordinal);
        Assert.DoesNotContain("passwordHash", body, StringComparison.OrdinalIgnoreCase);
        using var scope = api.Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Users
            .SingleAsync(u => u.Username == username, Ct);
        Assert.DoesNotContain(ApiClient.Password, stored.PasswordHash, StringComparison.Ordinal);
        Assert.StartsWith("AQAAAA", stored.PasswordHash, StringComparison.Ordinal); // Identity's V3 (PBKDF2) format marker
    }

    [Fact]
    public async Task Register_WithInvalidFields_Answers400ListingEachField_AndCreatesNothing()
    {
        using var response = await _client.PostJsonAsync("/api/v1/auth/register",
            new { username = "no spaces allowed", email = "not-an-email", password = "short" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "username", "email", "password" })
        {
            Assert.True(errors.TryGetProperty(field, out _), field);
        }

        Assert.Equal(0, await CountUsersAsync(u => u.Email == "not-an-email"));
    }

    [Fact]
    public async Task Register_WithAUsernameTakenInAnotherCase_Answers409_AndCreatesNothing()
    {
        var username = ApiClient.NewUsername("taken");
        await _client.RegisterAsync(username);

        using var response = await _client.PostJsonAsync("/api/v1/auth/register",
            new { username = username.ToUpperInvariant(), email = $"other.{username}@example.com", password = ApiClient.Password });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("username", out _));
        Assert.Equal(0, await CountUsersAsync(u => u.EmailNormalized == $"other.{username}@example.com"));
    }

    [Fact]
    public async Task Register_WithATakenEmail_Answers409()
    {
        var username = ApiClient.NewUsername();
        await _client.RegisterAsync(username);

        using var response = await _client.PostJsonAsync("/api/v1/auth/register",
            new { username = ApiClient.NewUsername(), email = $"{username.ToUpperInvariant()}@EXAMPLE.com", password = ApiClient.Password });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("email", out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Login_ByUsernameOrByEmail_StartsASession(bool byEmail)
    {
        var username = ApiClient.NewUsername();
        await _client.RegisterAsync(username);

        using var response = await _client.PostJsonAsync("/api/v1/auth/login",
            new { login = byEmail ? $"{username}@Example.com" : username.ToUpperInvariant(), password = ApiClient.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenResponse>(Ct))!;
        using var me = await _client.GetAsync("/api/v1/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task Login_WithAWrongPassword_AndWithAnUnknownUser_AnswerTheSame401()
    {
        var username = ApiClient.NewUsername();
        await _client.RegisterAsync(username);

        using var wrongPassword = await _client.PostJsonAsync("/api/v1/auth/login", new { login = username, password = "wrong password!" });
        using var unknownUser = await _client.PostJsonAsync("/api/v1/auth/login", new { login = ApiClient.NewUsername(), password = "wrong password!" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Equal(
            (await wrongPassword.ReadJsonAsync()).GetProperty("detail").GetString(),
            (await unknownUser.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Refresh_SpendsTheToken_AndIssuesAWorkingPair()
    {
        var first = await _client.RegisterAsync();

        var second = await RefreshAsync(first.RefreshToken);

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        using var me = await _client.GetAsync("/api/v1/me", second.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(first.User.Id, second.User.Id);
    }

    [Fact]
    public async Task Refresh_WithASpentTokenWhoseSuccessorWasUsed_Answers401_AndRevokesTheWholeSession()
    {
        // Not a lost answer being retried (see RefreshRetryTests): its successor has been spent too.
        var first = await _client.RegisterAsync();
        var second = await RefreshAsync(first.RefreshToken);
        var third = await RefreshAsync(second.RefreshToken);

        using var replay = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });
        using var afterTheft = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = third.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterTheft.StatusCode);
    }

    [Fact]
    public async Task Refresh_OfOneSession_LeavesTheUsersOtherSessionsAlone()
    {
        var username = ApiClient.NewUsername();
        var phone = await _client.RegisterAsync(username);
        using var login = await _client.PostJsonAsync("/api/v1/auth/login", new { login = username, password = ApiClient.Password });
        var tablet = (await login.Content.ReadFromJsonAsync<TokenResponse>(Ct))!;
        await RefreshAsync((await RefreshAsync(phone.RefreshToken)).RefreshToken);

        using var replay = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = phone.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        await RefreshAsync(tablet.RefreshToken);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("________________________________________________________________")] // all bits set: a family id past any date
    public async Task Refresh_WithAMissingOrForgedToken_IsRefused(string token)
    {
        using var response = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = token });

        Assert.Equal(token.Length == 0 ? HttpStatusCode.BadRequest : HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task ASession_EndsAtItsMaximumLifetime_HoweverOftenItIsRefreshed()
    {
        // The instance's clock is a fake one the test moves: no real waiting, so a stalled machine changes nothing.
        var lifetime = TimeSpan.FromHours(1);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var shortSessions = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["Auth:SessionMaxLifetime"] = lifetime.ToString(),
        });
        await using var timed = shortSessions.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(clock)));
        using var client = timed.CreateClient();
        var tokens = await client.RegisterAsync();
        var family = RefreshSessions.FamilyOf(tokens.RefreshToken)!.Value;
        var session = timed.Services.GetRequiredService<RedisKeys>().Session(family);
        var redis = timed.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();

        // Refreshed again and again within its lifetime: works each time, and the sliding expiry stops at the maximum.
        foreach (var elapsed in new[] { 20, 40, 50 })
        {
            clock.SetUtcNow(clock.Start + TimeSpan.FromMinutes(elapsed));
            using var refreshed = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.RefreshToken });
            Assert.True(refreshed.StatusCode == HttpStatusCode.OK, $"refresh after {elapsed} min: {refreshed.StatusCode}");
            tokens = (await refreshed.Content.ReadFromJsonAsync<TokenResponse>(Ct))!;
            Assert.InRange(await redis.KeyTimeToLiveAsync(session) ?? TimeSpan.MaxValue, TimeSpan.Zero, lifetime - TimeSpan.FromMinutes(elapsed));
        }

        // Past the maximum (the session's key, capped at the remaining ten minutes, is still in Redis): refused.
        clock.SetUtcNow(clock.Start + lifetime + TimeSpan.FromSeconds(1));
        Assert.True(await redis.KeyExistsAsync(session));
        using var late = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
    }

    [Fact]
    public async Task Logout_EndsTheSession_AndIsIdempotent()
    {
        var tokens = await _client.RegisterAsync();

        using var logout = await _client.PostJsonAsync("/api/v1/auth/logout", new { refreshToken = tokens.RefreshToken });
        using var again = await _client.PostJsonAsync("/api/v1/auth/logout", new { refreshToken = tokens.RefreshToken });
        using var refresh = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.RefreshToken });

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task Session_SurvivesAnApiRestart()
    {
        var tokens = await _client.RegisterAsync();

        await using var restarted = await ApiFactory.SharingStateWithAsync(api);
        using var client = restarted.CreateClient();
        using var refresh = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = tokens.RefreshToken });

        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Fact]
    public async Task AccessToken_CarriesTheContractsClaims_AndAKidHeader()
    {
        var tokens = await _client.RegisterAsync();

        var token = new JsonWebToken(tokens.AccessToken);

        Assert.Equal("RS256", token.Alg);
        Assert.False(string.IsNullOrEmpty(token.Kid));
        Assert.Equal(ApiFactory.TestIssuer, token.Issuer);
        Assert.Equal(["foodcommunity-api"], token.Audiences);
        Assert.Equal(tokens.User.Id, token.Subject);
        Assert.False(string.IsNullOrEmpty(token.Id));
        Assert.Equal("api uploads", token.GetClaim("scope").Value);
        Assert.Equal(TimeSpan.FromMinutes(15), token.ValidTo - token.IssuedAt);
        Assert.Equal(token.IssuedAt, token.ValidFrom);
    }

    [Fact]
    public async Task ProfileByUsername_IsFoundCaseInsensitively_AndUnknownIs404()
    {
        var username = ApiClient.NewUsername();
        await _client.RegisterAsync(username);

        using var found = await _client.GetAsync($"/api/v1/users/{username.ToUpperInvariant()}", Ct);
        using var missing = await _client.GetAsync($"/api/v1/users/{ApiClient.NewUsername()}", Ct);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(username, (await found.ReadJsonAsync()).GetProperty("username").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    private async Task<TokenResponse> RefreshAsync(string refreshToken)
    {
        using var response = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(Ct))!;
    }

    private async Task<int> CountUsersAsync(System.Linq.Expressions.Expression<Func<FoodCommunity.Api.Users.User, bool>> predicate)
    {
        using var scope = api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Users.CountAsync(predicate, Ct);
    }
}
