using System.Net;
using Amazon.S3;
using FoodCommunity.Api.Infrastructure.Data;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Domain.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FoodCommunity.Api.Tests.Posts;

public sealed class PostTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreatePost_Answers201WithTheFullPost_AndLocation()
    {
        var author = await _client.RegisterAsync();
        var keys = new[] { await TestImages.UploadAsync(api, author.User.Id), await TestImages.UploadAsync(api, author.User.Id) };

        using var response = await _client.TryCreatePostAsync(author.AccessToken,
            new { imageKeys = keys, caption = "Sunday #Bibimbap with #kimchi", tags = new[] { "Korean", "kimchi" } });

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var post = await response.ReadJsonAsync();
        Assert.Equal($"/api/v1/posts/{post.GetProperty("id").GetString()}", response.Headers.Location?.OriginalString);
        Assert.Equal(keys, post.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("key").GetString()));
        // A 640 × 480 upload: renditions 320 × 240 and 640 × 480, the largest as url; never the upload itself.
        var image = post.GetProperty("images")[0];
        Assert.True(UploadKey.TryParse(keys[0], out var upload));
        Assert.Equal((640, 480), (image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32()));
        Assert.Equal($"{api.Endpoints.S3ServiceUrl}/{api.Isolation.BucketName}/{ImageRenditions.RenditionKey(upload, 640)}", image.GetProperty("url").GetString());
        Assert.Equal([(320, 240), (640, 480)], image.GetProperty("variants").EnumerateArray().Select(v => (v.GetProperty("width").GetInt32(), v.GetProperty("height").GetInt32())));
        Assert.DoesNotContain(post.GetProperty("images").EnumerateArray(), i => i.ToString().Contains("/uploads/", StringComparison.Ordinal));
        Assert.Equal(["bibimbap", "kimchi", "korean"], post.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(author.User.Id, post.GetProperty("author").GetProperty("id").GetString());
        Assert.Equal(1, post.GetProperty("author").GetProperty("postCount").GetInt32());
        Assert.Equal(0, post.GetProperty("likeCount").GetInt64());
        Assert.False(post.GetProperty("likedByMe").GetBoolean());
        // The bucket's lifecycle rule deletes objects still tagged state=pending: a post's renditions are re-tagged,
        // and its raw uploads (which may carry a location) are deleted.
        var s3 = api.GetService<IAmazonS3>();
        foreach (var key in keys)
        {
            Assert.True(UploadKey.TryParse(key, out var taken));
            foreach (var rendition in new[] { ImageRenditions.RenditionKey(taken, 320), ImageRenditions.RenditionKey(taken, 640), ImageRenditions.ManifestKey(taken) })
            {
                var tagging = await s3.GetObjectTaggingAsync(new Amazon.S3.Model.GetObjectTaggingRequest { BucketName = api.Isolation.BucketName, Key = rendition }, Ct);
                Assert.Contains(tagging.Tagging, t => t.Key == UploadPolicy.PendingTagKey && t.Value == UploadPolicy.AttachedTagValue);
            }

            Assert.False(await TestImages.ExistsAsync(s3, api.Isolation.BucketName, key));
        }
    }

    public enum BadPost
    {
        AnotherUsersKey,
        MissingObject,
        OversizedObject,
        NotAnImage,
        ElevenImages,
        NoImages,
        OverlongCaption,
        InvalidTag,
        ThirtyOneTags,
        SameImageTwice,
    }

    [Theory]
    [InlineData(BadPost.AnotherUsersKey, "imageKeys")]
    [InlineData(BadPost.MissingObject, "imageKeys")]
    [InlineData(BadPost.OversizedObject, "imageKeys")]
    [InlineData(BadPost.NotAnImage, "imageKeys")]
    [InlineData(BadPost.ElevenImages, "imageKeys")]
    [InlineData(BadPost.NoImages, "imageKeys")]
    [InlineData(BadPost.OverlongCaption, "caption")]
    [InlineData(BadPost.InvalidTag, "tags")]
    [InlineData(BadPost.ThirtyOneTags, "tags")]
    [InlineData(BadPost.SameImageTwice, "imageKeys")]
    public async Task CreatePost_WithBadInput_Answers400NamingTheProblem_AndWritesNothing(BadPost bad, string field)
    {
        var author = await _client.RegisterAsync();
        var good = await TestImages.UploadAsync(api, author.User.Id);
        string? badKey = null;
        object body = bad switch
        {
            BadPost.AnotherUsersKey => new { imageKeys = new[] { good, badKey = await TestImages.UploadAsync(api, (await _client.RegisterAsync()).User.Id) } },
            BadPost.MissingObject => new { imageKeys = new[] { badKey = UploadKey.CreateNew(author.User.Id, UploadPolicy.Jpeg, DateTimeOffset.UtcNow).Value } },
            BadPost.OversizedObject => new { imageKeys = new[] { badKey = await TestImages.UploadAsync(api, author.User.Id, TestImages.Jpeg((int)UploadPolicy.MaxBytes + 1)) } },
            BadPost.NotAnImage => new { imageKeys = new[] { good, badKey = await TestImages.UploadAsync(api, author.User.Id, "just text, not a photo"u8.ToArray()) } },
            BadPost.ElevenImages => new { imageKeys = Enumerable.Repeat(0, 11).Select(_ => UploadKey.CreateNew(author.User.Id, UploadPolicy.Jpeg, DateTimeOffset.UtcNow).Value).ToArray() },
            BadPost.NoImages => new { imageKeys = Array.Empty<string>() },
            BadPost.OverlongCaption => new { imageKeys = new[] { good }, caption = new string('c', 2201) },
            BadPost.InvalidTag => new { imageKeys = new[] { good }, tags = new[] { "no spaces" } },
            BadPost.ThirtyOneTags => new { imageKeys = new[] { good }, tags = Enumerable.Range(0, 31).Select(i => $"t{i}").ToArray() },
            _ => new { imageKeys = new[] { good, good } },
        };

        using var response = await _client.TryCreatePostAsync(author.AccessToken, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), await response.Content.ReadAsStringAsync(Ct));
        if (badKey is not null)
        {
            Assert.Contains(messages.EnumerateArray(), m => m.GetString()!.Contains(badKey, StringComparison.Ordinal));
        }

        Assert.Equal(0, await CountPostsByAsync(author.User.Id));
        using var me = await _client.GetAsync("/api/v1/me", author.AccessToken);
        Assert.Equal(0, (await me.ReadJsonAsync()).GetProperty("postCount").GetInt32());
    }

    [Fact]
    public async Task CreatePost_WithAnImageAlreadyInAnotherPost_Answers400()
    {
        var author = await _client.RegisterAsync();
        var key = await TestImages.UploadAsync(api, author.User.Id);
        using var first = await _client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } });

        using var second = await _client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } });

        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(1, await CountPostsByAsync(author.User.Id));
    }

    [Fact]
    public async Task GetPost_AnswersThePost_AndUnknownIs404()
    {
        var author = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author, "Tteokbokki");

        using var found = await _client.GetAsync($"/api/v1/posts/{postId}", Ct);
        using var missing = await _client.GetAsync($"/api/v1/posts/{Guid.CreateVersion7()}", Ct);

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal("Tteokbokki", (await found.ReadJsonAsync()).GetProperty("caption").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task DeletePost_ByTheAuthor_RemovesItFromFeedsWithItsComments_AndItsImagesFromTheBucket()
    {
        var author = await _client.RegisterAsync();
        var commenter = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author, "to be deleted #gone");
        await _client.ExpectStatusAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/comments", commenter, HttpStatusCode.Created, new { text = "nice" });

        string key;
        using (var before = await _client.GetAsync($"/api/v1/posts/{postId}", Ct))
        {
            key = (await before.ReadJsonAsync()).GetProperty("images")[0].GetProperty("key").GetString()!;
        }

        // What the delete must take away was there: the comment, and the image's renditions in the bucket.
        Assert.Single(await _client.ReadAllPagesAsync($"/api/v1/posts/{postId}/comments"));
        Assert.True(UploadKey.TryParse(key, out var upload));
        var s3 = api.GetService<IAmazonS3>();
        var renditions = new[] { ImageRenditions.ManifestKey(upload), ImageRenditions.RenditionKey(upload, 320) };
        Assert.Equal(renditions.ToHashSet(), await BucketListing.ListedAsync(s3, api.Isolation.BucketName, renditions));

        using var deleted = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", author.AccessToken);
        using var get = await _client.GetAsync($"/api/v1/posts/{postId}", Ct);
        using var comments = await _client.GetAsync($"/api/v1/posts/{postId}/comments", Ct);
        using var me = await _client.GetAsync("/api/v1/me", author.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, comments.StatusCode);
        Assert.DoesNotContain(postId, await _client.ReadAllPagesAsync("/api/v1/feed/latest"));
        Assert.DoesNotContain(postId, await _client.ReadAllPagesAsync("/api/v1/tags/gone/posts"));
        Assert.Equal(0, (await me.ReadJsonAsync()).GetProperty("postCount").GetInt32());
        // Gone from a bucket that still exists: a listing of a missing bucket throws, where a HEAD would say 404.
        await BucketListing.WaitUntilUnlistedAsync(s3, api.Isolation.BucketName, [.. ImageRenditions.AllObjectKeys(upload)], TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnImageOfADeletedPost_PostedAgain_IsNotDeletedFromTheBucket()
    {
        // A grace period long enough that a stalled test machine cannot let the worker win the race
        // it guards against, and short enough for the sentinel below to be deleted soon after.
        await using var own = ApiFactory.WithOwnState(new Dictionary<string, string?> { ["Storage:ImageDeletionDelaySeconds"] = "10" });
        await own.InitializeAsync();
        using var client = own.CreateClient();
        var author = await client.RegisterAsync();
        var key = await TestImages.UploadAsync(own, author.User.Id);
        using var first = await client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } });
        var firstId = (await first.ReadJsonAsync()).GetProperty("id").GetString();
        using (await client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{firstId}", author.AccessToken))
        {
        }

        using var again = await client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } });
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);

        // A later deletion going through proves the worker has had its rounds since.
        var sentinelPost = await client.CreatePostAsync(own, author);
        string sentinelKey;
        using (var sentinel = await client.GetAsync($"/api/v1/posts/{sentinelPost}", Ct))
        {
            sentinelKey = (await sentinel.ReadJsonAsync()).GetProperty("images")[0].GetProperty("key").GetString()!;
        }

        using (await client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{sentinelPost}", author.AccessToken))
        {
        }

        Assert.True(UploadKey.TryParse(key, out var upload));
        await TestImages.WaitUntilGoneAsync(own, sentinelKey, TimeSpan.FromSeconds(40));
        using var stillThere = await own.GetService<IAmazonS3>().GetObjectAsync(own.Isolation.BucketName, ImageRenditions.RenditionKey(upload, 320), Ct);
        Assert.Equal(HttpStatusCode.OK, stillThere.HttpStatusCode);
    }

    [Fact]
    public async Task DeletePost_BySomeoneElse_Answers403_AndUnknownIs404_AndNothingChanges()
    {
        var author = await _client.RegisterAsync();
        var stranger = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        using var forbidden = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", stranger.AccessToken);
        using var anonymous = await _client.DeleteAsync($"/api/v1/posts/{postId}", Ct);
        using var unknown = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{Guid.CreateVersion7()}", author.AccessToken);
        using var still = await _client.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }

    [Fact]
    public async Task ReportPost_Answers202_CountsOncePerUser_AndUnknownIs404()
    {
        var author = await _client.RegisterAsync();
        var reporter = await _client.RegisterAsync();
        var postId = await _client.CreatePostAsync(api, author);

        using var first = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/reports", reporter.AccessToken, new { reason = "not food" });
        using var again = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/reports", reporter.AccessToken, new { reason = "still not food" });
        using var empty = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{postId}/reports", reporter.AccessToken, new { reason = "" });
        using var unknown = await _client.SendAsync(HttpMethod.Post, $"/api/v1/posts/{Guid.CreateVersion7()}/reports", reporter.AccessToken, new { reason = "x" });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var scope = api.Services.CreateScope();
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().PostReports.CountAsync(r => r.PostId == Guid.Parse(postId), Ct));
    }

    private async Task<int> CountPostsByAsync(string userId)
    {
        using var scope = api.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<FoodCommunityDbContext>().Posts.CountAsync(p => p.AuthorId == Guid.Parse(userId), Ct);
    }

    private Task WaitUntilGoneFromBucketAsync(string key) => TestImages.WaitUntilGoneAsync(api, key, TimeSpan.FromSeconds(30));
}
