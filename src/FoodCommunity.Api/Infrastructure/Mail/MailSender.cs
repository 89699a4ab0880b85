using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace FoodCommunity.Api.Infrastructure.Mail;

/// <summary>Sends one message; the transport (SMTP here, SES's SMTP interface in production) is the implementation's.</summary>
public interface IMailSender
{
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Sends through an SMTP server with MailKit: MailDev locally, Amazon SES's SMTP endpoint in production.</summary>
public sealed partial class SmtpMailSender(IOptions<MailOptions> options, ILogger<SmtpMailSender> logger) : IMailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var mail = options.Value;
        if (string.IsNullOrWhiteSpace(mail.SmtpHost))
        {
            LogNotConfigured(logger, message.Subject);
            return;
        }

        message.From.Clear();
        message.From.Add(new MailboxAddress(mail.FromName, mail.FromAddress));
        using var client = new SmtpClient();
        await client.ConnectAsync(mail.SmtpHost, mail.SmtpPort, mail.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellationToken);
        if (!string.IsNullOrEmpty(mail.Username))
        {
            await client.AuthenticateAsync(mail.Username, mail.Password ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail:SmtpHost is not set: the message '{Subject}' was not sent")]
    private static partial void LogNotConfigured(ILogger logger, string? subject);
}
