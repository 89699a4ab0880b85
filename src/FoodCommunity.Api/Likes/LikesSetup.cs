namespace FoodCommunity.Api.Likes;

public static class LikesSetup
{
    public static WebApplicationBuilder AddFoodCommunityLikes(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LikeOptions>()
            .BindConfiguration(LikeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<BenchmarkOptions>().BindConfiguration(BenchmarkOptions.SectionName).ValidateDataAnnotations();
        builder.Services.AddSingleton<LikeStateLoader>();
        builder.Services.AddSingleton<LikeStore>();
        builder.Services.AddSingleton<LikeMetrics>();
        builder.Services.AddSingleton<LikeShardRecovery>();
        builder.Services.AddSingleton<LikeStateWarmer>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LikeStateWarmer>());
        builder.Services.AddHostedService<LikeFlusher>();
        return builder;
    }
}
