using System.Diagnostics;
using System.Text;

namespace FoodCommunity.Presign.Lambda.Tests;

/// <summary>
/// The Native AOT <c>bootstrap</c> as Lambda runs it. By default this publishes linux-x64 itself (incremental
/// after the first time); <c>scripts/package-presign.sh --verify</c> passes the packaged binary instead through
/// PRESIGN_BOOTSTRAP, and for arm64 a PRESIGN_BOOTSTRAP_LAUNCHER such as
/// <c>qemu-aarch64 -L /usr/aarch64-linux-gnu</c>.
/// </summary>
public static class PublishedBootstrap
{
    private static readonly Lazy<Task<string>> Binary = new(LocateOrPublishAsync);

    public static string? Launcher => Environment.GetEnvironmentVariable("PRESIGN_BOOTSTRAP_LAUNCHER") is { Length: > 0 } launcher ? launcher : null;

    /// <summary>Publishes if needed, so that a test can start its clock after the build.</summary>
    public static Task<string> EnsureAsync() => Binary.Value;

    public static async Task<Process> StartAsync(IReadOnlyDictionary<string, string?> environment, StringBuilder output)
    {
        var binary = await Binary.Value;
        var launcher = Launcher?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var (fileName, arguments) = launcher.Length > 0 ? (launcher[0], [.. launcher[1..], binary]) : (binary, Array.Empty<string>());
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("Storage__", StringComparison.Ordinal) || k.StartsWith("Auth__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {binary}.");
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static async Task<string> LocateOrPublishAsync()
    {
        if (Environment.GetEnvironmentVariable("PRESIGN_BOOTSTRAP") is { Length: > 0 } given)
        {
            return File.Exists(given) ? given : throw new FileNotFoundException("PRESIGN_BOOTSTRAP names no file.", given);
        }

        var root = RepositoryRoot();
        var output = Path.Combine(root, "artifacts", "presign", "linux-x64", "test-publish");
        var publish = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "publish", Path.Combine(root, "src", "FoodCommunity.Presign.Lambda"), "-c", "Release", "-r", "linux-x64",
            "-o", output, "-nologo", "-nodeReuse:false",
        })
        {
            publish.ArgumentList.Add(argument);
        }

        using var process = Process.Start(publish)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the bootstrap failed:\n{await stdout}\n{await stderr}");
        }

        return Path.Combine(output, "FoodCommunity.Presign.Lambda");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "src", "FoodCommunity.Presign.Lambda", "FoodCommunity.Presign.Lambda.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No repository root above {AppContext.BaseDirectory}.");
    }
}
