using System.IO.Compression;
using System.Text.Json.Nodes;
using Amazon.CDK;
using Amazon.CDK.Assertions;

[assembly: AssemblyFixture(typeof(FoodCommunity.Infrastructure.Tests.SynthesizedApp))]
// Every call goes to one jsii (Node) process; running classes in parallel would only queue on it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace FoodCommunity.Infrastructure.Tests;

/// <summary>
/// The app synthesized once for the whole test assembly (jsii starts Node and loads the CDK: seconds
/// on two cores), with the design's defaults and stand-in zips of the two functions.
/// </summary>
public sealed class SynthesizedApp : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fc-cdk-test-").FullName;

    public SynthesizedApp()
    {
        var app = new App(new AppProps
        {
            Outdir = Path.Combine(_dir, "cdk.out"),
            Context = new Dictionary<string, object>
            {
                ["presignZip"] = StandInZip("presign-linux-arm64.zip"),
                ["imagesZip"] = StandInZip("images-linux-arm64.zip"),
            },
        });
        Stacks = FoodCommunityApp.Build(app, _dir);
        var assembly = app.Synth();
        Defaults = new Settings();

        Templates = new Dictionary<string, Template>();
        Json = new Dictionary<string, JsonObject>();
        foreach (var stack in All)
        {
            Templates[stack.StackName] = Template.FromStack(stack);
            Json[stack.StackName] = JsonNode.Parse(File.ReadAllText(assembly.GetStackByName(stack.StackName).TemplateFullPath))!.AsObject();
        }
    }

    private string StandInZip(string name)
    {
        var zip = Path.Combine(_dir, name);
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Create);
        using var bootstrap = new StreamWriter(archive.CreateEntry("bootstrap").Open());
        bootstrap.Write("#!/bin/sh\nexit 0\n");
        return zip;
    }

    public FoodCommunityApp Stacks { get; }

    /// <summary>The cloud assembly's folder (templates and staged assets).</summary>
    public string OutDir => Path.Combine(_dir, "cdk.out");
    public Settings Defaults { get; }

    public Stack[] All => [Stacks.Network, Stacks.Data, Stacks.Uploads, Stacks.Images, Stacks.Edge, Stacks.Mail, Stacks.Fleet, Stacks.Monitoring, Stacks.Web];

    /// <summary>CDK's assertion view of each stack's template, by stack name.</summary>
    public Dictionary<string, Template> Templates { get; }

    /// <summary>The same templates as JSON, for checks that scan every resource of every stack.</summary>
    public Dictionary<string, JsonObject> Json { get; }

    public Template TemplateOf(Stack stack) => Templates[stack.StackName];

    /// <summary>(stack, logical id, resource) for every resource of the given type in every stack.</summary>
    public IEnumerable<(string Stack, string Id, JsonObject Resource)> Resources(string type) =>
        from stack in Json
        from resource in stack.Value["Resources"]!.AsObject()
        where (string?)resource.Value!["Type"] == type
        select (stack.Key, resource.Key, resource.Value!.AsObject());

    public JsonObject Single(Stack stack, string type) =>
        Assert.Single(Resources(type), r => r.Stack == stack.StackName).Resource;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
