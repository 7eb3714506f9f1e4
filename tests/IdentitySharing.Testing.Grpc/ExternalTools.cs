using System.Diagnostics;

namespace IdentitySharing.Testing.Grpc;

/// <summary>
/// Finds and runs the external clients under tests/clients (Node, Python, buf), and runs any
/// other short-lived child process a test needs. A missing tool fails the test with a message
/// naming the script that installs it: these tests must never pass by not running.
/// </summary>
public static class ExternalTools
{
    public const string InstallHint = "Run build/install-test-deps.sh to install the external test clients.";

    // Generous: an interop run makes a few dozen calls, and the machine may be loaded.
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string NodeClientDirectory => Path.Combine(RepoRoot, "tests", "clients", "node");

    public static string PythonClientDirectory => Path.Combine(RepoRoot, "tests", "clients", "python");

    /// <summary>The system Python with Debian's grpcio (not a pyenv or venv one).</summary>
    public const string SystemPython = "/usr/bin/python3";

    public static string RequireNode()
    {
        var node = FindOnPath("node") ?? throw new InvalidOperationException($"node is not on PATH. {InstallHint}");
        if (!Directory.Exists(Path.Combine(NodeClientDirectory, "node_modules", "@grpc", "grpc-js")))
        {
            throw new InvalidOperationException($"tests/clients/node/node_modules is missing @grpc/grpc-js. {InstallHint}");
        }

        return node;
    }

    public static string RequireBuf()
    {
        var buf = Path.Combine(NodeClientDirectory, "node_modules", ".bin", "buf");
        return File.Exists(buf) ? buf : throw new InvalidOperationException($"buf (npm @bufbuild/buf) is missing from tests/clients/node/node_modules. {InstallHint}");
    }

    public static async Task<string> RequirePythonAsync()
    {
        if (!File.Exists(SystemPython))
        {
            throw new InvalidOperationException($"{SystemPython} is missing. {InstallHint}");
        }

        foreach (var tool in new[] { "/usr/bin/protoc", "/usr/bin/grpc_python_plugin" })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"{tool} is missing (Debian protobuf-compiler, protobuf-compiler-grpc). {InstallHint}");
            }
        }

        // grpc_tools too: the stub generator takes the well-known protos from it.
        var probe = await RunAsync(SystemPython, ["-c", "import grpc, grpc_tools"], RepoRoot);
        if (probe.ExitCode != 0)
        {
            throw new InvalidOperationException($"{SystemPython} cannot import grpc and grpc_tools (Debian python3-grpcio, python3-grpc-tools). {InstallHint}\n{probe.StandardError}");
        }

        return SystemPython;
    }

    /// <summary>
    /// Runs a child process to completion and collects its output; every test that starts a
    /// short-lived process (a client script, the built host) comes through here.
    /// </summary>
    /// <param name="fileName">The executable, a full path or a name on PATH.</param>
    /// <param name="arguments">Passed one by one, never through a shell.</param>
    /// <param name="workingDirectory">The child's current directory.</param>
    /// <param name="environment">Variables set on top of the inherited environment.</param>
    /// <param name="cancellationToken">Ends the wait (killing the process tree) when the test is cancelled.</param>
    /// <exception cref="TimeoutException">The process ran longer than the generous run limit; it is killed.</exception>
    public static async Task<ProcessResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[name] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var standardError = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Path.GetFileName(fileName)} {startInfo.ArgumentList.FirstOrDefault()} did not finish within {RunTimeout}.\n{await standardError}");
        }

        return new ProcessResult(process.ExitCode, await standardOutput, await standardError);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    private static string FindRepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IdentitySharing.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Could not find the repository root (IdentitySharing.sln) above the test binaries.");
    }
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}
