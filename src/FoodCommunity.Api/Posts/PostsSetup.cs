namespace FoodCommunity.Api.Posts;

public static class PostsSetup
{
    public static WebApplicationBuilder AddFoodCommunityPosts(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<Feeds.FeedOptions>()
            .BindConfiguration(Feeds.FeedOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<PostWriter>();
        builder.Services.AddSingleton<PostCards>();
        builder.Services.AddSingleton<PostViews>();
        builder.Services.AddSingleton<PostIdempotency>();
        builder.Services.AddSingleton<Feeds.PopularRanking>();
        builder.Services.AddSingleton<Feeds.PopularSnapshotBuilder>();
        builder.Services.AddHostedService(services => services.GetRequiredService<Feeds.PopularSnapshotBuilder>());
        builder.Services.AddSingleton<Feeds.FeedLists>();
        builder.Services.AddSingleton<Feeds.HomeTimeline>();
        builder.Services.AddSingleton<Feeds.FeedCache>();
        builder.Services.AddSingleton<Infrastructure.Paging.Cursors>();
        builder.Services.AddHostedService<ImageDeletionWorker>();

        return builder;
    }
}
