using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Comments;

public sealed class CommentTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Comments_AreListedOldestFirst_AcrossPages_AndCounted()
    {
        var author = await _client.RegisterAsync();
        var commenter = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);
        var written = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            using var created = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", commenter.AccessToken, new { text = $"comment {i}" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var comment = await created.ReadJsonAsync();
            Assert.Equal(commenter.User.Id, comment.GetProperty("author").GetProperty("id").GetString());
            written.Add(comment.GetProperty("id").GetString()!);
        }

        var listed = await _client.ReadAllPagesAsync($"/api/v1/posts/{postId}/comments", limit: 4);
        using var post = await _client.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal(written, listed);
        Assert.Equal(9, (await post.ReadJsonAsync()).GetProperty("commentCount").GetInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task CreateComment_WithoutText_Answers400(string? text)
    {
        var author = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        using var response = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", author.AccessToken, new { text });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty("text", out _));
    }

    [Fact]
    public async Task CreateComment_OverAThousandCharacters_Answers400_AndOnAnUnknownPost404()
    {
        var author = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        using var tooLong = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", author.AccessToken, new { text = new string('x', 1001) });
        using var unknown = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{Guid.CreateVersion7()}/comments", author.AccessToken, new { text = "hi" });

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task DeleteComment_ByItsAuthorOrThePostsAuthor_Succeeds_ButNotByOthers()
    {
        var postAuthor = await _client.RegisterAsync();
        var commenter = await _client.RegisterAsync();
        var stranger = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, postAuthor);
        var first = await CommentAsync(postId, commenter.AccessToken);
        var second = await CommentAsync(postId, commenter.AccessToken);

        using var byStranger = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/comments/{first}", stranger.AccessToken);
        using var anonymous = await _client.DeleteAsync($"/api/v1/comments/{first}", Ct);
        using var byCommenter = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/comments/{first}", commenter.AccessToken);
        using var byPostAuthor = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/comments/{second}", postAuthor.AccessToken);
        using var again = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/comments/{second}", postAuthor.AccessToken);
        using var post = await _client.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, byStranger.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, byCommenter.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, byPostAuthor.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(0, (await post.ReadJsonAsync()).GetProperty("commentCount").GetInt32());
        Assert.Empty(await _client.ReadAllPagesAsync($"/api/v1/posts/{postId}/comments"));
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=51")]
    [InlineData("cursor=not-a-cursor")]
    [InlineData("cursor=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ListComments_WithABadLimitOrTamperedCursor_Answers400(string query)
    {
        var author = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        using var response = await _client.GetAsync($"/api/v1/posts/{postId}/comments?{query}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<string> CommentAsync(string postId, string accessToken)
    {
        using var created = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", accessToken, new { text = "tasty" });
        return (await created.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
