using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// redis-server processes a test owns, for tests that kill one: never the shared Redis of the run. Each
/// node runs from a folder of its own under /tmp, keeps no data on disk, and is killed when the
/// test disposes this. Ports come from FC_REDIS_FAILOVER_PORT (scripts/services.sh env prints it) and
/// the ones after it; their cluster bus ports are those + 10000.
/// </summary>
public sealed class RedisNodes : IAsyncDisposable
{
    private readonly Dictionary<int, Process> _nodes = [];
    private readonly string _folder = Directory.CreateTempSubdirectory("fc-redis-nodes-").FullName;

    /// <summary>The first of this run's ports for test-owned Redis nodes.</summary>
    public static int BasePort =>
        int.TryParse(Environment.GetEnvironmentVariable("FC_REDIS_FAILOVER_PORT"), CultureInfo.InvariantCulture, out var port) ? port : 17010;

    /// <summary>A primary on <paramref name="port"/> and a replica of it on the next port, replicating.</summary>
    public async Task<(int Primary, int Replica)> StartPrimaryWithReplicaAsync(int port)
    {
        await StartAsync(port);
        await StartAsync(port + 1, "--replicaof", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture));
        await WaitForAsync(port + 1, "replication in sync", async () => (await CliAsync(port + 1, "info", "replication")).Contains("master_link_status:up", StringComparison.Ordinal));
        return (port, port + 1);
    }

    /// <summary>Six nodes in cluster mode on port..port+5, joined into three primaries with one replica each.</summary>
    public async Task<IReadOnlyList<int>> StartClusterAsync(int port)
    {
        var ports = Enumerable.Range(port, 6).ToList();
        foreach (var node in ports)
        {
            // A primary unreachable this long counts as failed; short, so a test's failover is quick.
            await StartAsync(node, "--cluster-enabled", "yes", "--cluster-config-file", $"nodes-{node}.conf", "--cluster-node-timeout", "2000");
        }

        var create = await RunAsync("redis-cli", ["--cluster", "create", .. ports.Select(p => $"127.0.0.1:{p}"), "--cluster-replicas", "1", "--cluster-yes"]);
        Assert.True(create.ExitCode == 0, $"redis-cli --cluster create failed: {create.Output}");
        await WaitForAsync(port, "cluster healthy", async () =>
        {
            foreach (var node in ports)
            {
                if (!(await CliAsync(node, "cluster", "info")).Contains("cluster_state:ok", StringComparison.Ordinal))
                {
                    return false;
                }

                var replication = await CliAsync(node, "info", "replication");
                if (replication.Contains("role:slave", StringComparison.Ordinal) && !replication.Contains("master_link_status:up", StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        });
        return ports;
    }

    /// <summary>The port of the node replicating the given primary (from CLUSTER NODES).</summary>
    public async Task<int> ClusterReplicaOfAsync(int primary)
    {
        var nodes = (await CliAsync(primary, "cluster", "nodes")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
        var primaryId = nodes.Single(n => n[2].Contains("myself", StringComparison.Ordinal))[0];
        var replica = nodes.Single(n => n[3] == primaryId);
        return int.Parse(replica[1].Split(':')[1].Split('@')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Stops the replica from receiving anything more of its primary without promoting it: it stays a
    /// read-only replica with the data it has (its reconnections fail to authenticate), as a replica
    /// that lags further and further behind.
    /// </summary>
    public async Task DetachReplicaAsync(int replica)
    {
        await CliAsync(replica, "config", "set", "masteruser", "fc-detached");
        await CliAsync(replica, "config", "set", "masterauth", "not-the-password");
        await CliAsync(replica, "client", "kill", "type", "master");
        await WaitForAsync(replica, "replica detached", async () => (await CliAsync(replica, "info", "replication")).Contains("master_link_status:down", StringComparison.Ordinal));
    }

    /// <summary>SIGKILL, as a crashed machine: no shutdown, nothing more sent to anyone.</summary>
    public void Kill(int port)
    {
        var process = _nodes[port];
        process.Kill();
        process.WaitForExit();
    }

    public static async Task<string> CliAsync(int port, params string[] args) =>
        (await RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. args])).Output;

    /// <summary>A string value as the replica holds it (READONLY: a cluster replica answers instead of redirecting), or null.</summary>
    public static async Task<string?> ReadOnReplicaAsync(int port, string key)
    {
        var answer = await RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)], $"READONLY\nGET {key}\n");
        var value = answer.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
        return long.TryParse(value, CultureInfo.InvariantCulture, out _) ? value : null;
    }

    private async Task StartAsync(int port, params string[] args)
    {
        // A cluster node also listens on its bus port (+ 10000).
        foreach (var taken in args.Contains("--cluster-enabled") ? new[] { port, port + 10000 } : [port])
        {
            Assert.False(PortInUse(taken), $"port {taken} for a test-owned Redis node is taken; set FC_REDIS_FAILOVER_PORT to a free range");
        }

        var folder = Directory.CreateDirectory(Path.Combine(_folder, port.ToString(CultureInfo.InvariantCulture))).FullName;
        var info = new ProcessStartInfo("redis-server")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no", "--logfile", Path.Combine(folder, "redis.log") }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("redis-server is not on the PATH (apt-get install redis-server); the failover tests start their own nodes.", e);
        }

        _nodes[port] = process;
        await WaitForAsync(port, "answering", async () => (await CliAsync(port, "ping")).Trim() == "PONG");
    }

    private async Task WaitForAsync(int port, string what, Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                var log = Path.Combine(_folder, port.ToString(CultureInfo.InvariantCulture), "redis.log");
                Assert.Fail($"Redis node {port}: {what} not reached in 30 s. {(File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(10)) : "")}");
            }

            await Task.Delay(100);
        }
    }

    private static bool PortInUse(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string? input = null)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _nodes.Values)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Directory.Delete(_folder, recursive: true);
    }
}
