using System.Net;
using Amazon.S3;
using FoodCommunity.Api.Tests.Infrastructure;
using FoodCommunity.Domain.Uploads;

namespace FoodCommunity.Api.Tests.Posts;

/// <summary>Images nobody uses any more leave the bucket; an image being deleted can never end up in a post or profile.</summary>
public sealed class ImageLifecycleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = api.CreateClient();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AReplacedOrRemovedAvatar_IsDeletedFromTheBucket_TheCurrentOneStays()
    {
        var user = await _client.RegisterAsync();
        var first = await TestImages.UploadAsync(api, user.User.Id);
        var second = await TestImages.UploadAsync(api, user.User.Id);

        await SetAvatarAsync(user.AccessToken, first);
        await SetAvatarAsync(user.AccessToken, second);
        await TestImages.WaitUntilGoneAsync(api, first, TimeSpan.FromSeconds(30));
        // The raw upload is gone once a profile took it; its renditions are the avatar.
        Assert.True(UploadKey.TryParse(second, out var current));
        Assert.True(await TestImages.ExistsAsync(api.GetService<IAmazonS3>(), api.Isolation.BucketName, ImageRenditions.RenditionKey(current, 320)));

        await SetAvatarAsync(user.AccessToken, "");
        await TestImages.WaitUntilGoneAsync(api, second, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AnImageTheWorkerHasClaimedForDeletion_IsRefused_ByAPostAndByAnAvatar()
    {
        var author = await _client.RegisterAsync();
        var key = await TestImages.UploadAsync(api, author.User.Id);
        var postId = await CreateAsync(author.AccessToken, key);
        using (var deleted = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", author.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // The window the worker leaves between committing its claim and deleting from the bucket:
        // the object still exists, so only the claim can stop a writer from taking the key.
        await api.ExecuteSqlAsync($"UPDATE image_deletions SET deleting_at = UTC_TIMESTAMP(6) WHERE image_key = '{key}'");

        using var repost = await _client.TryCreatePostAsync(author.AccessToken, new { imageKeys = new[] { key } });
        using var avatar = await _client.SendAsync(HttpMethod.Patch, "/api/v1/me", author.AccessToken, new { avatarKey = key });

        Assert.Equal(HttpStatusCode.BadRequest, repost.StatusCode);
        Assert.Contains(key, (await repost.ReadJsonAsync()).GetProperty("errors").GetProperty("imageKeys")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, avatar.StatusCode);
        Assert.Equal(0L, await api.ScalarAsync($"SELECT COUNT(*) FROM post_images WHERE image_key = '{key}'"));
        Assert.Equal(0L, await api.ScalarAsync($"SELECT COUNT(*) FROM users WHERE avatar_key = '{key}'"));
    }

    [Fact]
    public async Task AnImagePostedAgainBeforeTheWorkerClaimedIt_Stays()
    {
        var author = await _client.RegisterAsync();
        var key = await TestImages.UploadAsync(api, author.User.Id);
        var postId = await CreateAsync(author.AccessToken, key);
        using (var deleted = await _client.SendAsync(HttpMethod.Delete, $"/api/v1/posts/{postId}", author.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await CreateAsync(author.AccessToken, key);

        Assert.Equal(0L, await api.ScalarAsync($"SELECT COUNT(*) FROM image_deletions WHERE image_key = '{key}'"));
    }

    private async Task SetAvatarAsync(string token, string key)
    {
        using var response = await _client.SendAsync(HttpMethod.Patch, "/api/v1/me", token, new { avatarKey = key });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> CreateAsync(string token, string key)
    {
        using var response = await _client.TryCreatePostAsync(token, new { imageKeys = new[] { key } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetString()!;
    }
}
