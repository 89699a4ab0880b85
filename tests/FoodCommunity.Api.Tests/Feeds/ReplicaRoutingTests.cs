using System.Net;
using FoodCommunity.Api.Tests.Infrastructure;

namespace FoodCommunity.Api.Tests.Feeds;

/// <summary>
/// With ConnectionStrings:MySqlReplica pointing at a database nothing is replicated into (a replica
/// lagging forever), what each caller sees shows where their reads went.
/// </summary>
public sealed class ReplicaRoutingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AfterAWrite_TheWritersReadsGoToThePrimary_WhileOthersReadTheReplica()
    {
        var replica = await api.Isolation.CreateLaggingReplicaAsync(api.Endpoints);
        await using var routed = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["ConnectionStrings:MySqlReplica"] = replica,
            ["Database:ReadYourWritesSeconds"] = "5",
        });
        using var client = routed.CreateClient();
        // A new instance trusts the replica only once its monitor has had an answer.
        var monitor = routed.GetService<FoodCommunity.Api.Infrastructure.Data.ReplicaMonitor>();
        Assert.True(await Eventually.AnswerAsync(() => Task.FromResult(monitor.Available), available => available, TimeSpan.FromSeconds(15)),
            "the replica monitor never saw the replica answer");

        var author = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(routed, author, "fresh off the pan");

        // The author just wrote: their reads see the primary.
        using var own = await client.GetAsync($"/api/v1/posts/{postId}", author.AccessToken);
        using var me = await client.GetAsync("/api/v1/me", author.AccessToken);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(1, (await me.ReadJsonAsync()).GetProperty("postCount").GetInt32());
        Assert.Contains(postId, await client.ReadAllPagesAsync($"/api/v1/users/{author.User.Id}/posts", author.AccessToken));

        // Everyone else reads the replica, which has not caught up. (Posts and feeds come from caches
        // filled from the primary, so a profile looked up by name is what shows the replica here.)
        using var ownProfile = await client.GetAsync($"/api/v1/users/{author.User.Username}", author.AccessToken);
        using var othersView = await client.GetAsync($"/api/v1/users/{author.User.Username}", Ct);
        Assert.Equal(HttpStatusCode.OK, ownProfile.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, othersView.StatusCode);

        // Once the read-your-writes window has passed, the author reads the replica too.
        var status = await Eventually.AnswerAsync(async () =>
        {
            using var later = await client.GetAsync($"/api/v1/users/{author.User.Username}", author.AccessToken);
            return later.StatusCode;
        }, s => s != HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task WithTheReplicaDown_ReadsGoToThePrimary_AndTheInstanceStaysReady()
    {
        await using var replicaDown = await ApiFactory.SharingStateWithAsync(api, new Dictionary<string, string?>
        {
            ["ConnectionStrings:MySqlReplica"] = "Server=127.0.0.1;Port=1;Database=foodcommunity;User ID=x;Password=x",
        });
        using var client = replicaDown.CreateClient();
        var author = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(replicaDown, author);

        using var anonymous = await client.GetAsync($"/api/v1/posts/{postId}", Ct);
        using var ready = await client.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = (await ready.ReadJsonAsync()).GetProperty("checks");
        Assert.Equal("Degraded", checks.GetProperty("mysql-replica").GetProperty("status").GetString());
    }

    [Fact]
    public async Task WithoutAReplica_EveryReadSeesThePrimary()
    {
        using var client = api.CreateClient();
        var author = await client.RegisterAsync();
        var postId = await client.CreatePostAsync(api, author);

        using var anonymous = await client.GetAsync($"/api/v1/posts/{postId}", Ct);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
    }
}
