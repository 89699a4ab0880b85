using System.Net;
using System.Text;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// The worst body an attacker can think of, up to a megabyte, sent to every endpoint that reads one:
/// each is refused with a 4xx problem and changes nothing. In process (the test server applies no
/// body limit; Kestrel's 64 KiB one is tested in StartupTests) every body reaches its handler, so the
/// field checks alone must refuse it. What each costs in API CPU is measured by
/// scripts/bench/hostile.sh (docs/benchmarks.md), not here: this asserts the answer.
/// </summary>
public sealed class HostileBodyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const int Budget = 1024 * 1024 - 4096;
    private readonly HttpClient _client = api.CreateClient();

    /// <summary>Body name → (method, path, whether it needs a token, the body).</summary>
    public static TheoryData<string> Bodies => new(WorstBodies.Keys);

    private static readonly Dictionary<string, (string Method, string Path, bool Authenticated, Func<string> Body)> WorstBodies = new()
    {
        ["register: megabyte username"] = ("POST", "/api/v1/auth/register", false, () => Json(new { username = Filler(Budget - 200), email = "a@example.com", password = "long enough password" })),
        ["register: megabyte display name of bidi overrides"] = ("POST", "/api/v1/auth/register", false, () => Json(new { username = "hostile_display", email = "h@example.com", password = "long enough password", displayName = Repeat("\u202E", Budget / 7) })),
        ["register: megabyte password"] = ("POST", "/api/v1/auth/register", false, () => Json(new { username = "hostile_password", email = "p@example.com", password = Filler(Budget - 200) })),
        ["login: megabyte login"] = ("POST", "/api/v1/auth/login", false, () => Json(new { login = Filler(Budget - 100), password = "long enough password" })),
        ["login: megabyte password"] = ("POST", "/api/v1/auth/login", false, () => Json(new { login = "someone", password = Filler(Budget - 100) })),
        ["refresh: megabyte token"] = ("POST", "/api/v1/auth/refresh", false, () => Json(new { refreshToken = Filler(Budget - 100) })),
        ["logout: megabyte token"] = ("POST", "/api/v1/auth/logout", false, () => Json(new { refreshToken = Filler(Budget - 100) })),
        ["profile: megabyte bio"] = ("PATCH", "/api/v1/me", true, () => Json(new { bio = Filler(Budget - 100) })),
        ["profile: megabyte avatar key of slashes"] = ("PATCH", "/api/v1/me", true, () => Json(new { avatarKey = Repeat("/", Budget - 100) })),
        ["post: caption of distinct #tags"] = ("POST", "/api/v1/posts", true, () => Json(new { imageKeys = new[] { "uploads/x/2026/01/0.jpg" }, caption = DistinctTags(Budget - 200) })),
        ["post: caption of decomposed Hangul"] = ("POST", "/api/v1/posts", true, () => Json(new { imageKeys = new[] { "uploads/x/2026/01/0.jpg" }, caption = Repeat("\u1100\u1161", Budget / 13) })),
        ["post: a hundred thousand tags"] = ("POST", "/api/v1/posts", true, () => Json(new { imageKeys = new[] { "uploads/x/2026/01/0.jpg" }, tags = Enumerable.Range(0, 100_000).Select(i => $"t{i}").ToArray() })),
        ["post: one megabyte tag"] = ("POST", "/api/v1/posts", true, () => Json(new { imageKeys = new[] { "uploads/x/2026/01/0.jpg" }, tags = new[] { "#" + Filler(Budget - 200) } })),
        ["post: thirty-five thousand image keys"] = ("POST", "/api/v1/posts", true, () => Json(new { imageKeys = Enumerable.Range(0, 35_000).Select(i => $"uploads/x/2026/01/{i}.jpg").ToArray() })),
        ["post: deeply nested arrays"] = ("POST", "/api/v1/posts", true, () => "{\"imageKeys\":" + Repeat("[", Budget / 2) + Repeat("]", Budget / 2) + "}"),
        ["post: a million-digit number"] = ("POST", "/api/v1/posts", true, () => "{\"caption\":" + Repeat("9", Budget - 20) + "}"),
        ["post: wide object of unknown fields"] = ("POST", "/api/v1/posts", true, () => "{" + string.Join(",", Enumerable.Range(0, 60_000).Select(i => $"\"f{i}\":0")) + ",\"imageKeys\":[]}"),
        ["comment: megabyte text"] = ("POST", $"/api/v1/posts/{Guid.CreateVersion7()}/comments", true, () => Json(new { text = Filler(Budget - 100) })),
        ["report: megabyte reason"] = ("POST", $"/api/v1/posts/{Guid.CreateVersion7()}/reports", true, () => Json(new { reason = Filler(Budget - 100) })),
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task WorstBodyUnderTheLimit_IsRefusedWith4xx_AndChangesNothing(string name)
    {
        var (method, path, authenticated, body) = WorstBodies[name];
        var user = await _client.RegisterAsync();
        var content = body();
        Assert.InRange(Encoding.UTF8.GetByteCount(content), 1, 1024 * 1024);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(content, Encoding.UTF8, "application/json") };
        if (authenticated)
        {
            request.WithBearer(user.AccessToken);
        }

        var before = await CountRowsAsync();
        using var response = await _client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CountRowsAsync());
        using var me = await _client.GetAsync("/api/v1/me", user.AccessToken);
        Assert.Equal(user.User.Bio, (await me.ReadJsonAsync()).GetProperty("bio").GetString());
    }

    private async Task<string> CountRowsAsync()
    {
        await using var connection = new MySqlConnection(api.MySqlConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new MySqlCommand(
            "SELECT CONCAT((SELECT COUNT(*) FROM users), '/', (SELECT COUNT(*) FROM posts), '/', (SELECT COUNT(*) FROM tags), '/', (SELECT COUNT(*) FROM comments), '/', (SELECT COUNT(*) FROM post_reports))",
            connection);
        return (string)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    private static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static string Filler(int length) => Repeat("x", length);

    private static string Repeat(string unit, int count) => new StringBuilder(unit.Length * count).Insert(0, unit, count).ToString();

    /// <summary>"#t0 #t1 #t2 ...": every tag distinct, as many as fit.</summary>
    private static string DistinctTags(int length)
    {
        var caption = new StringBuilder(length + 16);
        for (var i = 0; caption.Length < length; i++)
        {
            caption.Append("#t").Append(i).Append(' ');
        }

        return caption.ToString(0, length);
    }
}
