using System.Threading.Channels;
using MimeKit;

namespace FoodCommunity.Api.Infrastructure.Mail;

/// <summary>
/// Mail is sent in the background, so a request that sends one answers as fast as one that does not
/// (a password reset must not tell by its timing whether the address is known). Bounded: when the
/// SMTP server falls behind, new messages are dropped (and logged) rather than piling up in memory.
/// A message still queued when the process dies is lost; the user asks again.
/// </summary>
public sealed partial class MailOutbox(IMailSender sender, ILogger<MailOutbox> logger) : BackgroundService
{
    private readonly Channel<MimeMessage> _queue = Channel.CreateBounded<MimeMessage>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public void Enqueue(MimeMessage message)
    {
        if (!_queue.Writer.TryWrite(message))
        {
            LogDropped(logger, message.Subject);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await sender.SendAsync(message, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e, message.Subject);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail queue is full: '{Subject}' was dropped")]
    private static partial void LogDropped(ILogger logger, string? subject);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending '{Subject}' failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string? subject);
}
