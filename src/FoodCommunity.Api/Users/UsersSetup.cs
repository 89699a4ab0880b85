namespace FoodCommunity.Api.Users;

public static class UsersSetup
{
    public static WebApplicationBuilder AddFoodCommunityUsers(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccountOptions>()
            .BindConfiguration(AccountOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<Infrastructure.Redis.UserSetMirror>();
        builder.Services.AddSingleton<BlockList>();
        builder.Services.AddSingleton<FollowingSet>();
        builder.Services.AddSingleton<ProfileCards>();
        builder.Services.AddSingleton<ProfileViews>();
        builder.Services.AddSingleton<AccountErasureWorker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AccountErasureWorker>());
        return builder;
    }
}
