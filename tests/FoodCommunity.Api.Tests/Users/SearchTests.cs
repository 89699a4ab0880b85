using System.Net;
using FoodCommunity.Api.Auth;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Users;

/// <summary>People search: prefixes of usernames and display names, folded, paged once through, blocks and deletions respected.</summary>
public sealed class SearchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Search_MatchesPrefixes_IgnoringCaseAccentsAndWidth_AndHangulAsItIsTyped()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var kim = await client.RegisterAsync("kim_chef", "김치 Chef");
        var cafe = await client.RegisterAsync("cafe_lover", "Café Lover");
        var wide = await client.RegisterAsync("wide_one", "ＷＩＤＥ Ｗｏｒｌｄ");
        await client.RegisterAsync("unrelated", "Someone Else");

        Assert.Equal([kim.User.Id], await SearchAsync(client, "KIM"));
        Assert.Equal([kim.User.Id], await SearchAsync(client, "김치"));
        Assert.Equal([kim.User.Id], await SearchAsync(client, "기")); // the first jamo of 김, as a keyboard sends it
        Assert.Equal([cafe.User.Id], await SearchAsync(client, "cafe")); // username and display name: listed once
        Assert.Equal([cafe.User.Id], await SearchAsync(client, "CAFÉ L"));
        Assert.Equal([wide.User.Id], await SearchAsync(client, "wide w"));
        Assert.Empty(await SearchAsync(client, "chef")); // not a prefix of anything
        Assert.Empty(await SearchAsync(client, "%"));
    }

    [Fact]
    public async Task Search_PagesThroughEveryMatchOnce_AndLeavesOutBlockedAndDeletedUsers()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var me = await client.RegisterAsync("searcher", "Searcher");
        var found = new List<TokenResponse>();
        for (var i = 0; i < 7; i++)
        {
            found.Add(await client.RegisterAsync($"pager_{i}", $"Pager Person {i}"));
        }

        await client.ExpectStatusAsync(HttpMethod.Put, $"/api/v1/users/{found[0].User.Id}/block", me, HttpStatusCode.NoContent);
        await client.ExpectStatusAsync(HttpMethod.Delete, "/api/v1/me", found[1], HttpStatusCode.Accepted, new { password = ApiClient.Password });

        var pages = new List<List<string>>();
        string? cursor = null;
        do
        {
            using var response = await client.GetAsync($"/api/v1/users?query=PAGER&limit=2{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}", me.AccessToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.ReadJsonAsync();
            pages.Add([.. body.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()!)]);
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && pages.Count < 20);

        var listed = pages.SelectMany(p => p).ToList();
        Assert.Equal(found.Skip(2).Select(u => u.User.Id).Order(), listed.Order());
        Assert.Equal(listed.Count, listed.Distinct().Count());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Search_WithAnEmptyOrOverlongQuery_Is400(string query)
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();

        using var response = await client.GetAsync($"/api/v1/users?query={Uri.EscapeDataString(query)}", Ct);
        using var tampered = await client.GetAsync("/api/v1/users?query=a&cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
    }

    private static async Task<List<string>> SearchAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/api/v1/users?query={Uri.EscapeDataString(query)}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()!)];
    }
}
