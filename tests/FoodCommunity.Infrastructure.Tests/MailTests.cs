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
}
