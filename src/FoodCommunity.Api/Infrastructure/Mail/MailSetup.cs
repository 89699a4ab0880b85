namespace FoodCommunity.Api.Infrastructure.Mail;

public static class MailSetup
{
    public static WebApplicationBuilder AddFoodCommunityMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>()
            .BindConfiguration(MailOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IMailSender, SmtpMailSender>();
        builder.Services.AddSingleton<MailOutbox>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MailOutbox>());
        return builder;
    }
}
