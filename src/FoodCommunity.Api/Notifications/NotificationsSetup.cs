namespace FoodCommunity.Api.Notifications;

public static class NotificationsSetup
{
    public static WebApplicationBuilder AddFoodCommunityNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NotificationStore>();
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddHostedService<LikeNotifier>();
        return builder;
    }
}
