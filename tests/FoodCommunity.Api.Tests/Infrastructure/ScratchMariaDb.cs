using System.Diagnostics;
using System.Globalization;
using MySqlConnector;

namespace FoodCommunity.Api.Tests.Infrastructure;

/// <summary>
/// A MariaDB server of one test's own: a data directory made by mariadb-install-db and a mariadbd on a free
/// loopback port, both under a temp folder. For a test that crashes and restarts its database: the run's
/// server (scripts/services.sh) is shared by every test class running in parallel and must never stop.
/// Uses the binaries scripts/services.sh installs; the app login is made by an init file on every start.
/// </summary>
internal sealed class ScratchMariaDb : IAsyncDisposable
{
    private const string User = "foodcommunity";
    private const string Password = "foodcommunity";

    // mariadbd lives in sbin, which a non-root PATH may lack (as in scripts/services.sh).
    private static readonly string[] ExtraBinDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    private readonly DirectoryInfo _home;
    private readonly string _config;
    private Process? _server;

    private ScratchMariaDb(DirectoryInfo home, int port)
    {
        _home = home;
        Port = port;
        _config = Path.Combine(home.FullName, "my.cnf");
    }

    public int Port { get; }

    /// <summary>The server without a database, as <see cref="ServiceEndpoints.MySqlServer"/> names one.</summary>
    public string ServerConnectionString => $"Server=127.0.0.1;Port={Port};User ID={User};Password={Password}";

    /// <summary>The server's error log, for a failure message.</summary>
    public string LogTail => File.Exists(LogPath) ? string.Join('\n', File.ReadLines(LogPath).TakeLast(20)) : "(no log)";

    private string LogPath => Path.Combine(_home.FullName, "mariadbd.err");

    /// <summary>Initializes a data directory and starts the server; answers once the app login works.</summary>
    public static async Task<ScratchMariaDb> StartAsync()
    {
        var home = Directory.CreateTempSubdirectory("fc-scratch-mariadb-");
        var scratch = new ScratchMariaDb(home, ApiProcess.FreePort());
        try
        {
            await scratch.InitializeAsync();
            await scratch.StartServerAsync();
            return scratch;
        }
        catch
        {
            await scratch.DisposeAsync();
            throw;
        }
    }

    private async Task InitializeAsync()
    {
        var data = Directory.CreateDirectory(Path.Combine(_home.FullName, "data")).FullName;
        var init = Path.Combine(_home.FullName, "init.sql");
        await File.WriteAllTextAsync(init, $"""
            CREATE USER IF NOT EXISTS '{User}'@'127.0.0.1' IDENTIFIED BY '{Password}';
            GRANT ALL PRIVILEGES ON *.* TO '{User}'@'127.0.0.1';
            """);
        // As scripts/services.sh configures the shared server, smaller; every commit is flushed, as on RDS.
        await File.WriteAllTextAsync(_config, $"""
            [mariadbd]
            datadir={data}
            tmpdir={_home.FullName}
            socket={Path.Combine(_home.FullName, "mysqld.sock")}
            pid-file={Path.Combine(_home.FullName, "mariadbd.pid")}
            log-error={LogPath}
            init-file={init}
            bind-address=127.0.0.1
            port={Port.ToString(CultureInfo.InvariantCulture)}
            skip-name-resolve
            character-set-server=utf8mb4
            collation-server=utf8mb4_unicode_ci
            max_connections=300
            innodb_buffer_pool_size=64M
            innodb_log_file_size=32M
            innodb_flush_log_at_trx_commit=1

            """);
        using var install = Process.Start(Start("mariadb-install-db",
            $"--defaults-file={_config}", $"--user={Environment.UserName}", "--skip-test-db", "--auth-root-authentication-method=socket"))!;
        var output = Task.WhenAll(install.StandardOutput.ReadToEndAsync(), install.StandardError.ReadToEndAsync());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await install.WaitForExitAsync(timeout.Token);
        var text = await output;
        if (install.ExitCode != 0)
        {
            throw new InvalidOperationException($"mariadb-install-db failed ({install.ExitCode}):\n{text[0]}\n{text[1]}");
        }
    }

    /// <summary>Starts mariadbd on the existing data directory (crash recovery included) and waits until the app login answers.</summary>
    public async Task StartServerAsync()
    {
        Assert.True(_server is null, "the scratch MariaDB is already running");
        var server = Process.Start(Start("mariadbd", $"--defaults-file={_config}", $"--user={Environment.UserName}"))!;
        // Everything goes to log-error; drain the pipes anyway so the server can never block on them.
        _ = server.StandardOutput.ReadToEndAsync();
        _ = server.StandardError.ReadToEndAsync();
        _server = server;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (server.HasExited)
            {
                Assert.Fail($"mariadbd exited during startup ({server.ExitCode}):\n{LogTail}");
            }

            try
            {
                await using var connection = new MySqlConnection(ServerConnectionString + ";Pooling=false;Connection Timeout=2");
                await connection.OpenAsync();
                return;
            }
            catch (MySqlException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>SIGKILL: the server dies as in a crash, with whatever it had in flight.</summary>
    public async Task CrashAsync()
    {
        Assert.True(_server is not null, "the scratch MariaDB is not running");
        _server.Kill();
        await _server.WaitForExitAsync();
        _server.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await CrashAsync();
        }

        try
        {
            _home.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static ProcessStartInfo Start(string program, params string[] args)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(ExtraBinDirectories)
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{program} was not found: `bash scripts/services.sh up` installs MariaDB");
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
