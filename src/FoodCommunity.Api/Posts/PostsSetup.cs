namespace FoodCommunity.Api.Posts;

public static class PostsSetup
{
    public static WebApplicationBuilder AddFoodCommunityPosts(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PostWriter>();
        builder.Services.AddSingleton<PostViews>();
        builder.Services.AddSingleton<PostIdempotency>();
        builder.Services.AddSingleton<Feeds.PopularRanking>();
        builder.Services.AddSingleton<Feeds.FeedCache>();
        builder.Services.AddSingleton<Infrastructure.Paging.Cursors>();
        builder.Services.AddHostedService<ImageDeletionWorker>();
        return builder;
    }
}
