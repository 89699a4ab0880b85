using Amazon.CDK;
using Amazon.CDK.Assertions;
using Annotations = Amazon.CDK.Assertions.Annotations;

namespace FoodCommunity.Infrastructure.Tests;

public sealed class PresignCodeTests
{
    [Fact]
    public void MissingNativeAotZip_SynthesizesAPlaceholder_AndWarns()
    {
        var app = new App(new AppProps { Outdir = Directory.CreateTempSubdirectory("fc-cdk-placeholder-").FullName });
        var settings = new Settings { PresignZip = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.zip") };

        var uploads = new UploadsStack(app, "Uploads", settings, new StackProps());

        Assert.True(uploads.UsesPlaceholderCode);
        Annotations.FromStack(uploads).HasWarning("/Uploads/PresignFunction", Match.StringLikeRegexp("does not exist: the function gets a placeholder"));
        Template.FromStack(uploads).HasResourceProperties("AWS::Lambda::Function", new Dictionary<string, object>
        {
            ["Runtime"] = "provided.al2023",
            ["Code"] = Match.ObjectLike(new Dictionary<string, object> { ["S3Key"] = Match.AnyValue() }),
        });
        Directory.Delete(app.Outdir, recursive: true);
    }
}
