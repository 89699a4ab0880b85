namespace FoodCommunity.Api.Notifications;

public static class NotificationsSetup
{
    public static WebApplicationBuilder AddFoodCommunityNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NotificationStore>();
        builder.Services.AddSingleton<Notifier>();
        // Notifications:FromLikes=false turns grouped like notifications off (the likes benchmark's A/B).
        if (builder.Configuration.GetValue("Notifications:FromLikes", defaultValue: true))
        {
            builder.Services.AddHostedService<LikeNotifier>();
        }
        return builder;
    }
}
