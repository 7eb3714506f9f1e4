using System.Diagnostics;

namespace IdentitySharing.Testing.Grpc;

/// <summary>
/// Finds and runs the external clients under tests/clients (Node, Python, buf). A missing tool
/// fails the test with a message naming the script that installs it: these tests must never
/// pass by not running.
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

        var probe = await RunAsync(SystemPython, ["-c", "import grpc"], RepoRoot);
        if (probe.ExitCode != 0)
        {
            throw new InvalidOperationException($"{SystemPython} cannot import grpc (Debian python3-grpcio). {InstallHint}\n{probe.StandardError}");
        }

        return SystemPython;
    }

    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory)
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

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {arguments.FirstOrDefault()} did not finish within {RunTimeout}.\n{await standardError}");
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
