using FoodCommunity.Infrastructure;

// Synthesizes to CDK_OUTDIR (scripts/synth.sh) or to where the CDK CLI asks; no AWS account or network needed.
var app = new Amazon.CDK.App();
FoodCommunityApp.Build(app, RepoRoot());
app.Synth();

static string RepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "FoodCommunity.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
