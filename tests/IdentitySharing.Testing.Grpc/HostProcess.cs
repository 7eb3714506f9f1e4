using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IdentitySharing.Testing.Grpc;

/// <summary>
/// The built host (<c>IdentitySharing.Host.dll</c>, copied next to every test assembly that
/// references the host project) running as its own process, for tests of what only a process
/// shows: the environment and arguments it is started with, SIGTERM and SIGKILL, its output.
/// Its output is collected line by line. Disposing kills it (with its tree) if still running.
/// (Short-lived runs that only need an exit code go through <see cref="ExternalTools.RunAsync"/>.)
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    /// <summary>What the host logs once it listens, followed by the address.</summary>
    public const string ListeningLine = "Now listening on: ";

    private readonly Process _process;
    private readonly Lock _outputLock = new();
    private readonly StringBuilder _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The <c>dotnet</c> that runs the tests.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The built host next to the test assembly.</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "IdentitySharing.Host.dll");

    /// <summary>The address it listens on, once <see cref="WaitForListeningAsync"/> has returned it.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the host in <paramref name="workingDirectory"/> (its SQLite file goes under
    /// <c>data/</c> there) as Production (the test runner's own environment must not leak in),
    /// with <paramref name="environment"/> on top of the inherited variables.
    /// </summary>
    public static HostProcess Start(string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        return new HostProcess(Process.Start(start) ?? throw new InvalidOperationException("The host process did not start."));
    }

    /// <summary>The address from the host's "Now listening on" line (plain or JSON logs alike).</summary>
    public async Task<Uri> WaitForListeningAsync(TimeSpan timeout)
    {
        var line = await WaitForOutputAsync(ListeningLine, timeout);
        var address = line[(line.IndexOf(ListeningLine, StringComparison.Ordinal) + ListeningLine.Length)..];
        Address = new Uri(new string([.. address.TakeWhile(c => c is not ('"' or '\\' or ' '))]));
        return Address;
    }

    /// <summary>The first output line containing <paramref name="text"/>; fails with the output so far when the host exits first or after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var output = Output;
            var at = output.IndexOf(text, StringComparison.Ordinal);
            if (at >= 0)
            {
                var start = output.LastIndexOf('\n', at) + 1;
                var end = output.IndexOf('\n', at);
                return output[start..(end < 0 ? output.Length : end)].TrimEnd('\r');
            }
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The host exited with code {_process.ExitCode} before writing \"{text}\". Output:{Environment.NewLine}{Output}");
            }
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"No \"{text}\" from the host within {timeout}. Output:{Environment.NewLine}{output}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does (<see cref="Process.Kill()"/> would send SIGKILL).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} exited with {kill.ExitCode}.");
        }
    }

    /// <summary>SIGKILL: the process dies at once, mid-call, with nothing flushed by the service.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_outputLock)
        {
            _output.Append(line).Append('\n');
        }
    }
}
