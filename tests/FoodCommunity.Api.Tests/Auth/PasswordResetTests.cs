using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;
using StackExchange.Redis;

namespace FoodCommunity.Api.Tests.Auth;

/// <summary>Password reset through a real SMTP server (MailDev from scripts/services.sh), whose inbox the test reads.</summary>
public sealed partial class PasswordResetTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Inbox => Environment.GetEnvironmentVariable("FC_MAIL_INBOX_URL")
        ?? throw new InvalidOperationException("FC_MAIL_INBOX_URL is not set: run `eval \"$(bash scripts/services.sh env)\"` (MailDev's inbox).");

    [Fact]
    public async Task AReset_MailsASingleUseLink_ThatSetsThePassword_AndEndsEverySession()
    {
        var user = await _client.RegisterAsync();
        var address = $"{user.User.Username}@example.com";

        using var request = await _client.PostJsonAsync("/api/v1/auth/password-reset", new { email = address.ToUpperInvariant() });
        var token = await TokenFromMailAsync(address);
        using var confirm = await _client.PostJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword = "a brand new password" });
        using var again = await _client.PostJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword = "yet another password" });

        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        using var oldAccess = await _client.GetAsync("/api/v1/me", user.AccessToken);
        using var oldRefresh = await _client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        using var oldPassword = await _client.PostJsonAsync("/api/v1/auth/login", new { login = address, password = ApiClient.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, oldAccess.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldRefresh.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        // A new sign-in after the revocation's second has passed works.
        await Task.Delay(TimeSpan.FromSeconds(1.1), Ct);
        using var newPassword = await _client.PostJsonAsync("/api/v1/auth/login", new { login = address, password = "a brand new password" });
        Assert.Equal(HttpStatusCode.OK, newPassword.StatusCode);
        var tokens = (await newPassword.Content.ReadFromJsonAsync<TokenResponse>(Ct))!;
        using var me = await _client.GetAsync("/api/v1/me", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    [Fact]
    public async Task AnUnknownAddress_GetsTheSameAnswer_AndLeavesNoTrace()
    {
        var known = await _client.RegisterAsync();
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";

        using var forKnown = await _client.PostJsonAsync("/api/v1/auth/password-reset", new { email = $"{known.User.Username}@example.com" });
        using var forUnknown = await _client.PostJsonAsync("/api/v1/auth/password-reset", new { email = unknown });

        Assert.Equal(forKnown.StatusCode, forUnknown.StatusCode);
        Assert.Equal(await forKnown.Content.ReadAsStringAsync(Ct), await forUnknown.Content.ReadAsStringAsync(Ct));
        await TokenFromMailAsync($"{known.User.Username}@example.com");
        Assert.Empty(await MailsToAsync(unknown));
        // One reset token in Redis: the known address's; the unknown one left none.
        var redis = api.GetService<IConnectionMultiplexer>();
        var resetKeys = 0;
        // Every primary's keys (on a cluster, each holds some slots; a replica's copies are not counted again).
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: $"{api.Isolation.RedisKeyPrefix}pwreset:*"))
            {
                resetKeys++;
                Assert.InRange((await redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromMinutes(29), TimeSpan.FromMinutes(30));
            }
        }

        Assert.Equal(1, resetKeys);
    }

    [Theory]
    [InlineData("", "a brand new password")]
    [InlineData("not-a-token", "a brand new password")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "a brand new password")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "short")]
    public async Task AForgedTokenOrAWeakPassword_Is400(string token, string newPassword)
    {
        using var confirm = await _client.PostJsonAsync("/api/v1/auth/password-reset/confirm", new { token, newPassword });

        Assert.Equal(HttpStatusCode.BadRequest, confirm.StatusCode);
    }

    private static async Task<string> TokenFromMailAsync(string address)
    {
        var mails = await Eventually.AnswerAsync(() => MailsToAsync(address), found => found.Count > 0, TimeSpan.FromSeconds(15));
        Assert.Single(mails);
        return TokenPattern().Match(mails[0].GetProperty("text").GetString()!).Groups[1].Value;
    }

    private static async Task<List<JsonElement>> MailsToAsync(string address)
    {
        using var http = new HttpClient();
        var all = await http.GetFromJsonAsync<JsonElement>($"{Inbox}/api/email", Ct);
        return [.. all.EnumerateArray().Where(mail => mail.GetProperty("to").EnumerateArray()
            .Any(to => string.Equals(to.GetProperty("address").GetString(), address, StringComparison.OrdinalIgnoreCase)))];
    }

    [GeneratedRegex(@"token=([A-Za-z0-9_-]+)")]
    private static partial Regex TokenPattern();
}
