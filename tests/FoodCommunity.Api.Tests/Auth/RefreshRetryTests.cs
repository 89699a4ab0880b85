using System.Net;
using System.Net.Http.Json;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Auth;

/// <summary>
/// A refresh whose answer never reached the client (a dropped connection, a timeout, a failure
/// half-way) must not end the session: the client retries with the token it still holds.
/// </summary>
public sealed class RefreshRetryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Refresh_RetriedWithinTheGracePeriod_GetsTheSameSuccessor_AndTheSessionGoesOn()
    {
        var first = await _client.RegisterAsync();
        var lost = await RefreshAsync(_client, first.RefreshToken);

        var retried = await RefreshAsync(_client, first.RefreshToken);
        var next = await RefreshAsync(_client, retried.RefreshToken);

        Assert.Equal(lost.RefreshToken, retried.RefreshToken);
        Assert.Equal(first.User.Id, retried.User.Id);
        using var me = await _client.GetAsync("/api/v1/me", retried.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.NotEqual(retried.RefreshToken, next.RefreshToken);
    }

    [Fact]
    public async Task Refresh_ReplayedAfterTheGracePeriod_IsReuse_AndRevokesTheSession()
    {
        await using var shortGrace = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?> { ["Auth:RefreshRetryGraceSeconds"] = "1" });
        using var client = shortGrace.CreateClient();
        var first = await client.RegisterAsync();
        var second = await RefreshAsync(client, first.RefreshToken);
        await Task.Delay(TimeSpan.FromSeconds(2), Ct);

        using var replay = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });
        using var afterRevocation = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = second.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevocation.StatusCode);
    }

    [Fact]
    public async Task Refresh_ThatFailsReadingTheAccount_LeavesTheTokenUnspent()
    {
        // No grace period: only reading the account before spending the token can save this session.
        var noGrace = new Dictionary<string, string?> { ["Auth:RefreshRetryGraceSeconds"] = "0" };
        await using var healthy = await ApiFactory.SharingStateWithAsync(api, noGrace);
        await using var mySqlDown = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>(noGrace)
        {
            ["ConnectionStrings:MySql"] = "Server=127.0.0.1;Port=1;Database=foodcommunity;User ID=x;Password=x;Connection Timeout=2",
        });
        using var client = healthy.CreateClient();
        var first = await client.RegisterAsync();

        using var failed = await mySqlDown.CreateClient().PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = first.RefreshToken });
        var afterwards = await RefreshAsync(client, first.RefreshToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal(first.User.Id, afterwards.User.Id);
    }

    private static async Task<TokenResponse> RefreshAsync(HttpClient client, string refreshToken)
    {
        using var response = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(Ct))!;
    }
}
