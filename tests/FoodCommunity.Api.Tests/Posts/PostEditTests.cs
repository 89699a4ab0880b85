using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Posts;

/// <summary>PATCH /api/v1/posts/{id}: caption and tags change for every reader on every instance at once; images stay.</summary>
public sealed class PostEditTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnEdit_ChangesCaptionAndTags_MovesThePostBetweenTagFeeds_AndShowsOnEveryInstanceAtOnce()
    {
        await using var first = ApiFactory.WithOwnState();
        await first.InitializeAsync();
        await using var second = await ApiFactory.SharingStateWithAsync(first);
        using var one = first.CreateClient();
        using var other = second.CreateClient();
        var author = await one.RegisterAsync();
        var postId = await one.CreatePostAsync(first, author, "Lunch #bibimbap", ["korean"]);
        // The other instance has the body in its memory before the edit.
        using (var before = await other.GetAsync($"/api/v1/posts/{postId}", Ct))
        {
            Assert.Equal("Lunch #bibimbap", (await before.ReadJsonAsync()).GetProperty("caption").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, (await before.ReadJsonAsync()).GetProperty("editedAt").ValueKind);
        }

        using var edit = await one.SendAsync(HttpMethod.Patch, $"/api/v1/posts/{postId}", author.AccessToken, new { caption = "Dinner #Naengmyeon" });
        using var seen = await other.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var post = await seen.ReadJsonAsync();
        Assert.Equal("Dinner #Naengmyeon", post.GetProperty("caption").GetString());
        // The explicit tag stays; the old caption's #tag goes, the new one's comes.
        Assert.Equal(["korean", "naengmyeon"], post.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(post.GetProperty("editedAt").GetDateTimeOffset() > post.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Single(post.GetProperty("images").EnumerateArray());
        Assert.Empty(await other.ReadAllPagesAsync("/api/v1/tags/bibimbap/posts"));
        Assert.Equal([postId], await other.ReadAllPagesAsync("/api/v1/tags/naengmyeon/posts"));
        Assert.Contains("Dinner #Naengmyeon", await CaptionsAsync(other));
    }

    [Fact]
    public async Task OnlyTheAuthorEdits_WithinTheLimits_AndAnUnknownPostIs404()
    {
        await using var api = ApiFactory.WithOwnState();
        await api.InitializeAsync();
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var stranger = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(api, author, "first");

        await client.ExpectStatusAsync(HttpMethod.Patch, $"/api/v1/posts/{postId}", stranger, HttpStatusCode.Forbidden, new { caption = "mine now" });
        await client.ExpectStatusAsync(HttpMethod.Patch, $"/api/v1/posts/{Guid.CreateVersion7()}", author, HttpStatusCode.NotFound, new { caption = "x" });
        await client.ExpectStatusAsync(HttpMethod.Patch, $"/api/v1/posts/{postId}", author, HttpStatusCode.BadRequest, new { caption = new string('c', 2201) });
        await client.ExpectStatusAsync(HttpMethod.Patch, $"/api/v1/posts/{postId}", author, HttpStatusCode.BadRequest,
            new { tags = Enumerable.Range(0, 31).Select(i => $"t{i}").ToArray() });

        using var unchanged = await client.GetAsync($"/api/v1/posts/{postId}", Ct);
        var post = await unchanged.ReadJsonAsync();
        Assert.Equal("first", post.GetProperty("caption").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, post.GetProperty("editedAt").ValueKind);
    }

    private static async Task<List<string>> CaptionsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/api/v1/feed/latest", Ct);
        return [.. (await response.ReadJsonAsync()).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("caption").GetString()!)];
    }
}
