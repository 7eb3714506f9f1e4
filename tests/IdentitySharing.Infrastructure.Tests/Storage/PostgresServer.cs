using System.Net;
using System.Net.Sockets;
using IdentitySharing.Testing.Grpc;
using Npgsql;

[assembly: AssemblyFixture(typeof(IdentitySharing.Infrastructure.Tests.Storage.PostgresServer))]

namespace IdentitySharing.Infrastructure.Tests.Storage;

/// <summary>
/// A real PostgreSQL server for this test run: a throwaway cluster in a temp directory,
/// listening on 127.0.0.1 at a free port with trust authentication, started on first use and
/// stopped at the end. Each test gets its own database. PostgreSQL refuses to run as root, so
/// as root the server runs as the <c>postgres</c> user. Set <c>PG_BIN</c> to use other binaries.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private string? _directory;
    private string? _binaries;
    private string? _adminConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var admin = await EnsureStartedAsync();
        var name = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
    }

    private async Task<string> EnsureStartedAsync()
    {
        await _startGate.WaitAsync();
        try
        {
            return _adminConnectionString ??= await StartAsync();
        }
        finally
        {
            _startGate.Release();
        }
    }

    private async Task<string> StartAsync()
    {
        _binaries = FindBinaries();
        _directory = Directory.CreateTempSubdirectory("identitysharing-pg-").FullName;
        var data = Path.Combine(_directory, "data");
        if (RunningAsRoot)
        {
            await RunAsync("chown", ["postgres", _directory]);
        }
        await RunPostgresToolAsync("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        var port = FreePort();
        await RunPostgresToolAsync("pg_ctl", ["-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60", "-o",
            $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"]);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            Pooling = false,
        }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is not null && _binaries is not null)
        {
            try
            {
                await RunPostgresToolAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
            }
            finally
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
        _startGate.Dispose();
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }
        // Debian and Ubuntu keep each major version's server binaries here; newest first.
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(dir => int.TryParse(Path.GetFileName(dir), out var major) ? major : 0)
                .Select(dir => Path.Combine(dir, "bin")));
        }
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found: the storage tests need a real PostgreSQL server. " +
                "Install it with build/install-test-deps.sh (Debian package 'postgresql'), or set PG_BIN to the directory holding initdb and pg_ctl.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunPostgresToolAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_binaries!, tool);
        return RunningAsRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments])
            : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string fileName, IReadOnlyList<string> arguments)
    {
        var result = await ExternalTools.RunAsync(fileName, arguments, Path.GetTempPath());
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(fileName)} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.StandardOutput}{result.StandardError}");
        }
    }
}
