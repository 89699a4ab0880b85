using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>Password-reset mail through SES's SMTP interface (issue 13): the identity, the sender, the credentials.</summary>
public sealed class MailTests(SynthesizedApp app)
{
    private const string FromAddress = "no-reply@foodcommunity.example";

    private Template Mail => app.TemplateOf(app.Stacks.Mail);

    [Fact]
    public void MailDomain_DefaultsToTheApiDomainWithoutItsFirstLabel()
    {
        Assert.Equal("foodcommunity.example", app.Defaults.MailDomain);
        var scope = new App(new AppProps { Context = new Dictionary<string, object> { ["apiDomain"] = "api.example.co.kr" } });
        Assert.Equal("example.co.kr", Settings.FromContext(scope, "/").MailDomain);
        var explicitDomain = new App(new AppProps { Context = new Dictionary<string, object> { ["apiDomain"] = "api.example.com", ["mailDomain"] = "mail.example.com" } });
        Assert.Equal("mail.example.com", Settings.FromContext(explicitDomain, "/").MailDomain);
    }

    [Fact]
    public void MailDomain_IsAnSesIdentity_WithEasyDkim_WhoseRecordsAreOutputs()
    {
        Mail.HasResourceProperties("AWS::SES::EmailIdentity", new Dictionary<string, object>
        {
            ["EmailIdentity"] = "foodcommunity.example",
            ["DkimSigningAttributes"] = new Dictionary<string, object> { ["NextSigningKeyLength"] = "RSA_2048_BIT" },
        });
        Mail.ResourceCountIs("AWS::SES::EmailIdentity", 1);
        // The operator publishes three CNAMEs; each output names one with its target.
        var outputs = app.Json[app.Stacks.Mail.StackName]["Outputs"]!.AsObject();
        for (var i = 1; i <= 3; i++)
        {
            var record = outputs[$"DkimRecord{i}"]!["Value"]!.ToJsonString();
            Assert.Contains($"DkimDNSTokenName{i}", record, StringComparison.Ordinal);
            Assert.Contains($"DkimDNSTokenValue{i}", record, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SesSmtpSender_MayOnlySendRawEmail_AsTheApisSender_FromTheIdentity_AndHasNoKeyInTheTemplate()
    {
        var (_, userId, user) = Assert.Single(app.Resources("AWS::IAM::User"));
        Assert.Equal(MailStack.SenderUserName, (string?)user["Properties"]!["UserName"]);
        Assert.Null(user["Properties"]!["ManagedPolicyArns"]);
        Assert.Null(user["Properties"]!["Policies"]);
        Assert.Empty(app.Resources("AWS::IAM::AccessKey"));

        var identityId = app.Resources("AWS::SES::EmailIdentity").Single().Id;
        var policies = app.Resources("AWS::IAM::Policy")
            .Where(p => TemplateText.AsList(p.Resource["Properties"]!["Users"]).Any(u => (string?)u!["Ref"] == userId))
            .ToList();
        var statement = Assert.Single(policies.SelectMany(p => TemplateText.AsList(p.Resource["Properties"]!["PolicyDocument"]!["Statement"])))!;
        Assert.Equal("Allow", (string?)statement["Effect"]);
        Assert.Equal("ses:SendRawEmail", (string?)Assert.Single(TemplateText.AsList(statement["Action"])));
        var resource = Assert.Single(TemplateText.AsList(statement["Resource"]));
        Assert.Equal($"arn:{{token}}:ses:ap-northeast-2:{{token}}:identity/{{token}}", TemplateText.Flatten(resource));
        Assert.Contains($"{{\"Ref\":\"{identityId}\"}}", resource!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(FromAddress, (string?)statement["Condition"]!["StringEquals"]!["ses:FromAddress"]);
    }

    [Fact]
    public void SmtpCredentialsSecret_HoldsNoValueInTheTemplate_AndOnlyTheApiRoleMayReadIt()
    {
        var (_, secretId, secret) = Assert.Single(app.Resources("AWS::SecretsManager::Secret"), s => s.Stack == app.Stacks.Mail.StackName);
        Assert.Null(secret["Properties"]!["SecretString"]);
        Assert.Equal("{\"username\":\"\"}", (string?)secret["Properties"]!["GenerateSecretString"]!["SecretStringTemplate"]);

        // The Fleet stack imports the secret's ARN; exactly one statement, the API role's, names it, to read it.
        var export = (string)app.Json[app.Stacks.Mail.StackName]["Outputs"]!.AsObject()
            .Single(o => o.Value!["Export"] is not null && o.Value["Value"]!.ToJsonString() == $"{{\"Ref\":\"{secretId}\"}}").Value!["Export"]!["Name"]!;
        var readers = (from policy in app.Resources("AWS::IAM::Policy")
                       from statement in TemplateText.AsList(policy.Resource["Properties"]!["PolicyDocument"]!["Statement"])
                       where TemplateText.AsList(statement!["Resource"]).Any(r => r is JsonObject o && (string?)o["Fn::ImportValue"] == export)
                       select (policy.Resource, Statement: statement!)).ToList();
        var (apiPolicy, read) = Assert.Single(readers);
        Assert.StartsWith("ApiRole", (string?)TemplateText.AsList(apiPolicy["Properties"]!["Roles"]).Single()!["Ref"], StringComparison.Ordinal);
        Assert.Equal(["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"], TemplateText.AsList(read["Action"]).Select(a => (string)a!).Order().ToArray());
        Assert.Single(TemplateText.AsList(read["Resource"]));

        // Nothing broader: no secret by pattern, and the instances themselves never call SES.
        var fleetStatements = app.Resources("AWS::IAM::Policy").Where(p => p.Stack == app.Stacks.Fleet.StackName)
            .SelectMany(p => TemplateText.AsList(p.Resource["Properties"]!["PolicyDocument"]!["Statement"])).ToList();
        Assert.DoesNotContain(fleetStatements, s => TemplateText.AsList(s!["Action"]).Any(a => ((string?)a)!.StartsWith("ses:", StringComparison.Ordinal)));
        Assert.All(fleetStatements.Where(s => TemplateText.AsList(s!["Action"]).Any(a => ((string?)a)!.StartsWith("secretsmanager:", StringComparison.Ordinal))),
            s => Assert.All(TemplateText.AsList(s!["Resource"]), r => Assert.DoesNotContain("*", TemplateText.Flatten(r), StringComparison.Ordinal)));
    }

    [Fact]
    public void ApiSettings_SendThroughSesSmtp_WithStartTls_AsTheVerifiedSender_AndCarryNoCredentials()
    {
        var settings = TemplateText.Flatten(app.Resources("AWS::SSM::Parameter")
            .Single(p => (string?)p.Resource["Properties"]!["Name"] == FleetStack.SettingsParameterName).Resource["Properties"]!["Value"])
            .Split('\n');
        Assert.Contains("Mail__SmtpHost=email-smtp.ap-northeast-2.amazonaws.com", settings);
        Assert.Contains("Mail__SmtpPort=587", settings);
        Assert.Contains("Mail__UseStartTls=true", settings);
        Assert.Contains($"Mail__FromAddress={FromAddress}", settings);
        // The web client's distribution, whose function answers the path with its page (WebTests).
        Assert.Contains("Mail__PasswordResetUrl=https://{token}/reset-password", settings);
        Assert.DoesNotContain(settings, l => l.StartsWith("Mail__Username=", StringComparison.Ordinal) || l.StartsWith("Mail__Password=", StringComparison.Ordinal));

        // run-api reads the credentials from the mail secret (RunApiScriptTests runs it).
        var userData = TemplateText.Flatten(app.Single(app.Stacks.Fleet, "AWS::EC2::LaunchTemplate")["Properties"]!["LaunchTemplateData"]!["UserData"]);
        Assert.Contains("export Mail__Username=", userData, StringComparison.Ordinal);
    }
}
