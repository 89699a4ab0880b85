using System.ComponentModel.DataAnnotations;

namespace FoodCommunity.Api.Infrastructure.Mail;

/// <summary>
/// The "Mail" section: an SMTP server. In development and tests, MailDev from scripts/services.sh;
/// in production, Amazon SES through its SMTP interface (email-smtp.ap-northeast-2.amazonaws.com,
/// port 587, STARTTLS, SMTP credentials from Secrets Manager: docs/deploy.md). Without a host, mail is not sent
/// (and each dropped message is logged).
/// </summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    public string? SmtpHost { get; set; }

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary>Required for SES; off for the local sink.</summary>
    public bool UseStartTls { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    [Required]
    [EmailAddress]
    public string FromAddress { get; set; } = "no-reply@foodcommunity.example";

    public string FromName { get; set; } = "FoodCommunity";

    /// <summary>The page of the web client that takes a reset token: the link is this URL with ?token=...</summary>
    [Required]
    [Url]
    public string PasswordResetUrl { get; set; } = "http://127.0.0.1:5080/reset-password";
}
