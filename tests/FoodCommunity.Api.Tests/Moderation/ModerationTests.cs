using System.Net;
using System.Net.Http.Json;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Moderation;

/// <summary>The report queue and its decisions, end to end with a moderator and a normal user, across two instances.</summary>
public sealed class ModerationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reports_ReachTheQueue_HideDismissAndSuspend_TakeEffectEverywhere_AndAreRecorded()
    {
        await using var first = ApiFactory.WithOwnState();
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first);
        using var one = first.CreateClient();
        using var other = second.CreateClient();
        var author = await one.RegisterAsync();
        var reader = await one.RegisterAsync();
        var moderator = await one.SignInAsModeratorAsync(first);
        var offending = await one.CreatePostAsync(first, author, "spam spam");
        var harmless = await one.CreatePostAsync(first, author, "my lunch");
        foreach (var (post, reason) in new[] { (offending, "spam"), (offending, "scam link"), (harmless, "I don't like it") })
        {
            var reporter = await one.RegisterAsync();
            await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{post}/reports", reporter, HttpStatusCode.Accepted, new { reason });
        }

        // Without the role, every moderation route is a 403.
        await one.ExpectStatusAsync(HttpMethod.Get, "/api/v1/moderation/reports", reader, HttpStatusCode.Forbidden);
        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{offending}/hide", reader, HttpStatusCode.Forbidden, new { reason = "x" });
        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{offending}/dismiss", reader, HttpStatusCode.Forbidden);
        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/users/{author.User.Id}/suspend", reader, HttpStatusCode.Forbidden, new { reason = "x" });

        var queue = await QueueAsync(one, moderator);
        Assert.Equal([(offending, 2), (harmless, 1)], queue.Select(q => (q.PostId, q.Count)));
        Assert.Equal(["spam", "scam link"], queue[0].Reasons);

        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{offending}/hide", moderator, HttpStatusCode.NoContent, new { reason = "spam" });
        await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{offending}", reader, HttpStatusCode.NotFound);
        Assert.DoesNotContain(offending, await other.ReadAllPagesAsync("/api/v1/feed/latest", reader.AccessToken));
        Assert.DoesNotContain(offending, await other.ReadAllPagesAsync($"/api/v1/users/{author.User.Id}/posts"));
        await other.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/posts/{offending}/like", reader, HttpStatusCode.NotFound);
        using (var own = await other.GetAsync($"/api/v1/posts/{offending}", author.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.True((await own.ReadJsonAsync()).GetProperty("hidden").GetBoolean());
        }

        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{harmless}/dismiss", moderator, HttpStatusCode.NoContent);
        Assert.Empty(await QueueAsync(other, moderator));
        await other.ExpectStatusAsync(HttpMethod.Get, $"/api/v1/posts/{harmless}", reader, HttpStatusCode.OK);

        await one.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/users/{author.User.Id}/suspend", moderator, HttpStatusCode.NoContent, new { reason = "repeated spam", days = 7 });
        await other.ExpectStatusAsync(HttpMethod.Get, "/api/v1/me", author, HttpStatusCode.Unauthorized);
        using var refresh = await other.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = author.RefreshToken });
        using var login = await other.PostJsonAsync("/api/v1/auth/login", new { login = author.User.Username, password = ApiClient.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        var until = (await login.ReadJsonAsync()).GetProperty("suspendedUntil").GetDateTimeOffset();
        Assert.InRange(until, DateTimeOffset.UtcNow.AddDays(6.9), DateTimeOffset.UtcNow.AddDays(7.1));

        Assert.Equal(
            [("hide-post", "spam"), ("dismiss-reports", ""), ("suspend-user", "repeated spam")],
            await ActionsAsync(first, moderator.User.Id));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task Hiding_WithoutAReason_Is400(string reason)
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var moderator = await client.SignInAsModeratorAsync(api);
        var post = await client.CreatePostAsync(api, await client.RegisterAsync());

        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{post}/hide", moderator, HttpStatusCode.BadRequest, new { reason });
        await client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/moderation/posts/{Guid.CreateVersion7()}/hide", moderator, HttpStatusCode.NotFound, new { reason = "spam" });
    }

    private static async Task<List<(string PostId, int Count, List<string> Reasons)>> QueueAsync(HttpClient client, TokenResponse moderator)
    {
        using var response = await client.GetAsync("/api/v1/moderation/reports", moderator.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(item => (
            item.GetProperty("post").GetProperty("id").GetString()!,
            item.GetProperty("reportCount").GetInt32(),
            item.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!).ToList()))];
    }

    private static async Task<List<(string, string)>> ActionsAsync(ApiFactory api, string moderatorId)
    {
        await using var connection = new MySqlConnection(api.MySqlConnectionString + ";GuidFormat=Binary16");
        await connection.OpenAsync(Ct);
        await using var command = new MySqlCommand("SELECT action, reason FROM moderation_actions WHERE moderator_id = @moderator ORDER BY id", connection);
        command.Parameters.AddWithValue("@moderator", Guid.Parse(moderatorId));
        var actions = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            actions.Add((reader.GetString(0), reader.GetString(1)));
        }

        return actions;
    }
}
