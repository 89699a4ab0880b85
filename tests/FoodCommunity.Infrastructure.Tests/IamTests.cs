using System.Text.Json.Nodes;

namespace FoodCommunity.Infrastructure.Tests;

public sealed class IamTests(SynthesizedApp app)
{
    [Fact]
    public void NoStatement_AllowsEveryActionOnEveryResource()
    {
        var documents = app.Resources("AWS::IAM::Policy").Select(p => p.Resource["Properties"]!["PolicyDocument"])
            .Concat(app.Resources("AWS::IAM::Role").SelectMany(r => TemplateText.AsList(r.Resource["Properties"]!["Policies"]).Select(p => p!["PolicyDocument"])))
            .Concat(app.Resources("AWS::S3::BucketPolicy").Select(p => p.Resource["Properties"]!["PolicyDocument"]))
            .ToList();
        Assert.NotEmpty(documents);
        var statements = documents.SelectMany(d => TemplateText.AsList(d!["Statement"])).ToList();
        Assert.DoesNotContain(statements, s =>
            (string?)s!["Effect"] == "Allow"
            && TemplateText.AsList(s["Action"]).Any(a => (string?)a == "*" || ((string?)a)?.EndsWith(":*", StringComparison.Ordinal) == true)
            && TemplateText.AsList(s["Resource"]).Any(r => r is JsonValue v && (string?)v == "*"));
    }
}
