using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.SecretsManager;
using Amazon.CDK.AWS.SES;
using Constructs;

namespace FoodCommunity.Infrastructure;

/// <summary>
/// The SES box: the API sends its password-reset mail through SES's SMTP interface as no-reply@ the mail
/// domain, signing in as an IAM user whose SMTP credentials the operator makes (docs/deploy.md).
/// </summary>
public sealed class MailStack : Stack
{
    public const string SenderUserName = "SesSmtpSender";

    /// <summary>SMTP submission with STARTTLS: EC2 throttles port 25, and the API speaks STARTTLS, not implicit TLS.</summary>
    public const int SmtpPort = 587;

    public EmailIdentity Identity { get; }

    /// <summary>{"username": the sender's access key id, "password": the SMTP password derived from its secret key}.</summary>
    public Secret SmtpCredentials { get; }

    public string SmtpHost { get; }
    public string FromAddress { get; }

    public MailStack(Construct scope, string id, Settings settings, IStackProps props) : base(scope, id, props)
    {
        SmtpHost = $"email-smtp.{settings.Region}.amazonaws.com";
        FromAddress = $"no-reply@{settings.MailDomain}";

        // The whole domain is verified (Easy DKIM, 2048-bit): the operator publishes the three CNAMEs output below.
        Identity = new EmailIdentity(this, "MailDomain", new EmailIdentityProps
        {
            Identity = Amazon.CDK.AWS.SES.Identity.Domain(settings.MailDomain),
            DkimIdentity = DkimIdentity.EasyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
        });

        // SMTP credentials are an access key of an IAM user; the operator creates it, so no key is in CloudFormation.
        var sender = new User(this, "SesSmtpSender", new UserProps { UserName = SenderUserName });
        sender.AddToPolicy(new PolicyStatement(new PolicyStatementProps
        {
            // SES authorizes every SMTP message as SendRawEmail; leaked credentials can send only as the API does.
            Actions = ["ses:SendRawEmail"],
            Resources = [Identity.EmailIdentityArn],
            Conditions = new Dictionary<string, object>
            {
                ["StringEquals"] = new Dictionary<string, object> { ["ses:FromAddress"] = FromAddress },
            },
        }));

        // Generated, so no credential is in the template; the password is filler until the operator stores a real pair.
        SmtpCredentials = new Secret(this, "MailSmtpCredentials", new SecretProps
        {
            Description = $"SES SMTP credentials of the IAM user {SenderUserName}: {{\"username\": access key id, \"password\": SMTP password}} (docs/deploy.md)",
            GenerateSecretString = new SecretStringGenerator
            {
                SecretStringTemplate = "{\"username\":\"\"}",
                GenerateStringKey = "password",
                ExcludePunctuation = true,
            },
        });

        var records = Identity.DkimRecords;
        for (var i = 0; i < records.Length; i++)
        {
            _ = new CfnOutput(this, $"DkimRecord{i + 1}", new CfnOutputProps
            {
                Value = $"{records[i].Name} CNAME {records[i].Value}",
                Description = $"Publish in {settings.MailDomain}'s DNS zone: SES verifies the domain and signs with DKIM once all three resolve",
            });
        }

        _ = new CfnOutput(this, "SmtpCredentialsSecret", new CfnOutputProps { Value = SmtpCredentials.SecretArn });
        _ = new CfnOutput(this, "SmtpSenderUser", new CfnOutputProps { Value = sender.UserName });
    }
}
